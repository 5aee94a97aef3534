/*
 * fuzz.h: the entry point every fuzz target defines (libFuzzer's), called
 * by libFuzzer under `make fuzz` and by replay.c under `make check`.
 */
#ifndef PATROL_FUZZ_H
#define PATROL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* PATROL_FUZZ_H */
