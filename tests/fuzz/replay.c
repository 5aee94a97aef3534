/*
 * replay.c: the main() of a fuzz target built for `make check`: feeds every
 * file of the target's corpus directory (FUZZ_CORPUS, tests/fuzz/corpus/NAME:
 * the seeds and every input a fuzzer ever found a fault with) to
 * LLVMFuzzerTestOneInput once, in name order, as one TAP test each. A crash
 * or a sanitizer report fails the run; so a fault found once stays a
 * regression test. `make fuzz` links the same target with libFuzzer instead.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, path[4096];
	size_t		 n = 0, i, len;
	unsigned char	*buf;
	FILE		*f;
	long		 sz;
	int		 failed = 0;

	if ((d = opendir(FUZZ_CORPUS)) == NULL) {
		printf("Bail out! %s: cannot open\n", FUZZ_CORPUS);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n++] = strdup(e->d_name)) == NULL)
			return 99;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), byname);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", FUZZ_CORPUS, names[i]);
		if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) ||
		    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			printf("not ok %zu - %s: cannot read\n", i + 1, names[i]);
			failed = 1;
			if (f != NULL)
				fclose(f);
			continue;
		}
		len = (size_t)sz;
		/* An exact-size copy, so that ASan sees any overread. */
		if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
		    fread(buf, 1, len, f) != len)
			return 99;
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		printf("ok %zu - %s\n", i + 1, names[i]);
		fflush(stdout);
		free(names[i]);
	}
	free(names);
	printf("1..%zu\n", n);
	return failed;
}
