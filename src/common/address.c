/*
 * address: IP classification for source_kind and CIDR tests for the rules.
 *
 * "private" means a range that cannot be reached across the internet
 * (RFC 1918, CGNAT 100.64/10, loopback, link-local, IPv6 unique-local):
 * traffic from there came through a private network path. Documentation,
 * benchmarking, multicast and other special ranges are "other": neither a
 * real internet peer nor a private one, so no rule treats them as public.
 */
#include "address.h"

#include <arpa/inet.h>
#include <string.h>

int address_parse(const char *s, size_t len, address_ip *out)
{
    char tmp[64];
    unsigned char v4[4];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (len == 0 || len >= sizeof tmp || memchr(s, '\0', len))
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, v4) == 1) {
        memcpy(out->b, mapped, 12);
        memcpy(out->b + 12, v4, 4);
        out->v4 = 1;
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, out->b) == 1) {
        out->v4 = memcmp(out->b, mapped, 12) == 0;
        return 0;
    }
    return -1;
}

struct range {
    unsigned char b[16]; /* prefix, network order */
    int bits;            /* prefix length over the 128-bit form */
    const char *kind;    /* source_kind for addresses inside */
};

#define V4(a, b, c, d, n, kind) \
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 96 + (n), kind}

/* Checked in order; the first match wins. Anything else IPv4 is public;
 * anything else IPv6 is public when inside 2000::/3. */
static const struct range ranges[] = {
    V4(10, 0, 0, 0, 8, "private"),
    V4(172, 16, 0, 0, 12, "private"),
    V4(192, 168, 0, 0, 16, "private"),
    V4(100, 64, 0, 0, 10, "private"),
    V4(127, 0, 0, 0, 8, "private"),
    V4(169, 254, 0, 0, 16, "private"),
    V4(0, 0, 0, 0, 8, "other"),
    V4(192, 0, 0, 0, 24, "other"),
    V4(192, 0, 2, 0, 24, "other"),
    V4(198, 18, 0, 0, 15, "other"),
    V4(198, 51, 100, 0, 24, "other"),
    V4(203, 0, 113, 0, 24, "other"),
    V4(224, 0, 0, 0, 4, "other"),
    V4(240, 0, 0, 0, 4, "other"),
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "private"}, /* ::1 */
    {{0xfe, 0x80}, 10, "private"},                                      /* link-local */
    {{0xfc, 0x00}, 7, "private"},                                       /* unique-local */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "other"},                            /* documentation */
};

static int prefix_match(const unsigned char *a, const unsigned char *p, int bits)
{
    int full = bits / 8, rest = bits % 8;

    if (memcmp(a, p, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    return ((a[full] ^ p[full]) & (0xff00 >> rest) & 0xff) == 0;
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

const char *address_kind(const char *s, size_t len)
{
    address_ip a;
    size_t i;

    if (len == 12 && memcmp(s, "AWS Internal", 12) == 0)
        return "aws-internal";
    if (address_parse(s, len, &a) != 0) {
        if (ends_with(s, len, ".amazonaws.com") || ends_with(s, len, ".amazonaws.com.cn") ||
            ends_with(s, len, ".amazon.com"))
            return "aws-service";
        return "other";
    }
    for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (prefix_match(a.b, ranges[i].b, ranges[i].bits))
            return ranges[i].kind;
    if (a.v4)
        return "public";
    return (a.b[0] & 0xe0) == 0x20 ? "public" : "other";
}

int address_in_cidr(const char *ip, size_t iplen, const char *cidr, size_t cidrlen)
{
    address_ip a, net;
    const char *slash = memchr(cidr, '/', cidrlen);
    size_t alen = slash ? (size_t)(slash - cidr) : cidrlen;
    long bits;

    if (address_parse(ip, iplen, &a) != 0 || address_parse(cidr, alen, &net) != 0)
        return -1;
    if (slash) {
        const char *p = slash + 1, *end = cidr + cidrlen;
        if (p == end || end - p > 3)
            return -1;
        for (bits = 0; p < end; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            bits = bits * 10 + (*p - '0');
        }
        if (bits > (net.v4 ? 32 : 128))
            return -1;
    } else {
        bits = net.v4 ? 32 : 128;
    }
    if (a.v4 != net.v4)
        return 0;
    return prefix_match(a.b, net.b, (int)(net.v4 ? bits + 96 : bits));
}
