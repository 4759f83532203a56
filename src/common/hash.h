/*
 * hash: SHA-256 through OpenSSL's libcrypto, in the lowercase hex that
 * CloudTrail digests, rule versions and shard plans are written in. The
 * one place that turns a digest into text, so that every hash the tool
 * prints or compares is spelt alike.
 */
#ifndef DDBTRAIL_HASH_H
#define DDBTRAIL_HASH_H

#include <stddef.h>

/* Writes the n bytes at md as 2n lowercase hex digits and a NUL into out. */
void hash_hex(const unsigned char *md, unsigned n, char *out);

/* The SHA-256 of n bytes at p in lowercase hex into out. Returns 0, or -1
 * (out "") when libcrypto fails. */
int hash_sha256_hex(const void *p, size_t n, char out[65]);

#endif
