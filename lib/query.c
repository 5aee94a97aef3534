/*
 * query.c: query strings and application/x-www-form-urlencoded bodies,
 * decoded into name/value lists.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

int
kv_add(struct kvlist *l, const char *key, size_t keylen, const char *val,
    size_t vallen)
{
	struct kv	*nv;
	char		*k, *v;

	if ((k = xstrndup(key, keylen)) == NULL)
		return -1;
	if ((v = xstrndup(val, vallen)) == NULL) {
		free(k);
		return -1;
	}
	if ((nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL) {
		free(k);
		free(v);
		return -1;
	}
	l->v = nv;
	l->v[l->n].key = k;
	l->v[l->n].val = v;
	l->v[l->n].vallen = vallen;
	l->n++;
	return 0;
}

const struct kv *
kv_get(const struct kvlist *l, const char *key)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

const char *
kv_dup(const struct kvlist *l)
{
	size_t	 i, j;

	for (i = 0; i < l->n; i++)
		for (j = i + 1; j < l->n; j++)
			if (strcmp(l->v[i].key, l->v[j].key) == 0)
				return l->v[i].key;
	return NULL;
}

void
kv_free(struct kvlist *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		wipe(l->v[i].val, l->v[i].vallen);	/* may hold a secret */
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

enum patrol_err
url_decode(const char *s, size_t len, int plus, const char *what, char **out,
    size_t *outlen, struct patrol_error *err)
{
	char	*d;
	size_t	 i, n = 0;
	int	 hi, lo;

	*out = NULL;
	*outlen = 0;
	if ((d = malloc(len + 1)) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				free(d);
				return patrol_error_set(err, PATROL_ERR_SYNTAX, i,
				    "%s: bad percent-escape at position %zu",
				    what, i);
			}
			d[n] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus)
			d[n] = ' ';
		else
			d[n] = s[i];
		if (d[n] == '\0') {
			free(d);
			return patrol_error_set(err, PATROL_ERR_INVALID, i,
			    "%s: NUL byte is not allowed", what);
		}
		n++;
	}
	d[n] = '\0';
	if (!utf8_valid(d, n)) {
		free(d);
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: not valid UTF-8", what);
	}
	*out = d;
	*outlen = n;
	return PATROL_OK;
}

enum patrol_err
kv_parse_urlencoded(const char *s, size_t len, struct kvlist *out,
    struct patrol_error *err)
{
	const char	*p = s, *end = s + len, *amp, *eq;
	char		*k = NULL, *v = NULL;
	size_t		 kl, vl;
	enum patrol_err	 rc = PATROL_OK;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {		/* empty pair, as in "a=1&&b=2" */
			p++;
			continue;
		}
		if (out->n >= FORM_FIELDS_MAX) {
			rc = patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
			    "more than %d parameters", FORM_FIELDS_MAX);
			goto out;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((rc = url_decode(p, (size_t)(eq - p), 1, "parameter name",
		    &k, &kl, err)) != PATROL_OK)
			goto out;
		if ((rc = url_decode(eq == amp ? eq : eq + 1,
		    eq == amp ? 0 : (size_t)(amp - eq - 1), 1, k, &v, &vl,
		    err)) != PATROL_OK)
			goto out;
		if (kv_add(out, k, kl, v, vl) == -1) {
			rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
			    "out of memory");
			goto out;
		}
		free(k);
		wipe(v, vl);
		free(v);
		k = v = NULL;
		p = amp + 1;
	}
out:
	free(k);
	if (v != NULL) {
		wipe(v, vl);
		free(v);
	}
	return rc;
}
