/*
 * ipa: IP address parsing, classification and CIDR matching.
 *
 * CloudTrail's sourceIPAddress holds an IPv4 or IPv6 address, a service host
 * name ("dynamodb.amazonaws.com"), or "AWS Internal". ipa_kind() turns that
 * into the source_kind column; ipa_in_cidr() backs the ip_in_cidr() SQL
 * function the rules use for trusted networks. IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are treated as the IPv4 address they carry.
 */
#ifndef DDBTRAIL_IPA_H
#define DDBTRAIL_IPA_H

#include <stddef.h>

/* A parsed address: always 16 bytes, IPv4 stored as IPv4-mapped IPv6. */
typedef struct ipa_addr {
    unsigned char b[16]; /* network byte order */
    int v4;              /* 1 when the address is IPv4 (or IPv4-mapped) */
} ipa_addr;

/* Parses an address of len bytes (no NUL needed). Returns 0 or -1. */
int ipa_parse(const char *s, size_t len, ipa_addr *out);

/* The source_kind of a sourceIPAddress value: "public", "private",
 * "aws-service", "aws-internal" or "other" (reserved and documentation
 * ranges, multicast, other host names, garbage). Static strings. */
const char *ipa_kind(const char *s, size_t len);

/* 1 when ip lies inside cidr ("10.0.0.0/8", "2001:db8::/32", or a bare
 * address meaning /32 or /128), 0 when it does not or the families differ,
 * -1 when either does not parse. */
int ipa_in_cidr(const char *ip, size_t iplen, const char *cidr, size_t cidrlen);

#endif
