/*
 * key_int.h: the layout of an HS256 signing key, shared by key.c (which
 * loads, creates and wipes keys) and token.c (which signs with them). Not
 * installed; patrol.h keeps struct patrol_key opaque.
 */
#ifndef PATROL_KEY_INT_H
#define PATROL_KEY_INT_H

#define KEY_FILE_MAX	4096	/* bytes of key material accepted */
#define KEY_GEN_LEN	64	/* bytes patrol_key_generate writes */

struct patrol_key {
	size_t		 len;		/* PATROL_KEY_MIN .. KEY_FILE_MAX */
	unsigned char	 bytes[];	/* the key material, len bytes */
};

#endif /* PATROL_KEY_INT_H */
