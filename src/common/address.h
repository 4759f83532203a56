/*
 * address: IP address parsing, classification and CIDR matching.
 *
 * CloudTrail's sourceIPAddress holds an IPv4 or IPv6 address, a service host
 * name ("dynamodb.amazonaws.com"), or "AWS Internal". address_kind() turns that
 * into the source_kind column; address_in_cidr() backs the ip_in_cidr() SQL
 * function the rules use for trusted networks. IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are treated as the IPv4 address they carry.
 */
#ifndef DDBTRAIL_ADDRESS_H
#define DDBTRAIL_ADDRESS_H

#include <stddef.h>

/* A parsed address: always 16 bytes, IPv4 stored as IPv4-mapped IPv6. */
typedef struct address_ip {
    unsigned char b[16]; /* network byte order */
    int v4;              /* 1 when the address is IPv4 (or IPv4-mapped) */
} address_ip;

/* Parses an address of len bytes (no NUL needed). Returns 0 or -1. */
int address_parse(const char *s, size_t len, address_ip *out);

/* The source_kind of a sourceIPAddress value: "public", "private",
 * "aws-service", "aws-internal" or "other" (reserved and documentation
 * ranges, multicast, other host names, garbage). Static strings. */
const char *address_kind(const char *s, size_t len);

/* 1 when ip lies inside cidr ("10.0.0.0/8", "2001:db8::/32", or a bare
 * address meaning /32 or /128), 0 when it does not or the families differ,
 * -1 when either does not parse. */
int address_in_cidr(const char *ip, size_t iplen, const char *cidr, size_t cidrlen);

#endif
