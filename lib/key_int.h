/*
 * key_int.h: the layout of an HS256 signing key, shared by key.c (which
 * loads, creates and wipes keys) and token.c (which signs with them). Not
 * installed; patrol.h keeps struct patrol_key opaque.
 */
#ifndef PATROL_KEY_INT_H
#define PATROL_KEY_INT_H

#define KEY_FILE_MAX	4096	/* bytes of key material accepted */
#define KEY_GEN_LEN	64	/* bytes patrol_key_generate writes */

struct evp_mac_ctx_st;

#define KEY_HEADER_MAX	96	/* bytes of its JWT header, base64url */

struct patrol_key {
	/* HMAC-SHA256 keyed with the material once, at load: each use
	 * duplicates it (key_hmac) instead of hashing the key again. */
	struct evp_mac_ctx_st	*mac;
	/* Its id (patrol_key_id) and the JWT header of the tokens it signs,
	 * {"alg":"HS256","typ":"JWT","kid":"<kid>"} in base64url, made at
	 * load. */
	char			 kid[PATROL_KID_LEN + 1];
	char			 header[KEY_HEADER_MAX];
	size_t			 headerlen;
	size_t			 len;	/* PATROL_KEY_MIN .. KEY_FILE_MAX */
	unsigned char		 bytes[];	/* the key material */
};

/* HMAC-SHA256 of data[0..len) under key into out (32 bytes). 0 or -1. */
int key_hmac(const struct patrol_key *key, const void *data, size_t len,
    unsigned char out[32]);

#endif /* PATROL_KEY_INT_H */
