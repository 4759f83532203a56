/*
 * Unit tests for address: source_kind classification and CIDR matching.
 */
#include "address.h"
#include "unit.h"

#include <string.h>

static void kinds(void)
{
    static const struct {
        const char *ip, *kind;
    } cases[] = {
        {"8.8.8.8", "public"},
        {"185.220.101.47", "public"},
        {"10.0.0.1", "private"},
        {"10.255.255.255", "private"},
        {"172.16.0.1", "private"},
        {"172.31.255.255", "private"},
        {"172.32.0.1", "public"},
        {"172.15.255.255", "public"},
        {"192.168.1.1", "private"},
        {"100.64.0.1", "private"},
        {"100.127.255.255", "private"},
        {"100.128.0.1", "public"},
        {"127.0.0.1", "private"},
        {"169.254.169.254", "private"},
        {"192.0.2.0", "other"},
        {"198.51.100.7", "other"},
        {"203.0.113.67", "other"},
        {"224.0.0.1", "other"},
        {"0.0.0.0", "other"},
        {"::1", "private"},
        {"fe80::1", "private"},
        {"fd12:3456::1", "private"},
        {"fc00::1", "private"},
        {"2001:db8::1", "other"},
        {"2a05:d018::1", "public"},
        {"::ffff:10.1.2.3", "private"},
        {"::ffff:8.8.8.8", "public"},
        {"ff02::1", "other"},
        {"dynamodb.amazonaws.com", "aws-service"},
        {"dax.amazonaws.com", "aws-service"},
        {"AWS Internal", "aws-internal"},
        {"example.com", "other"},
        {"", "other"},
        {"10.0.0.1.5", "other"},
        {"999.1.1.1", "other"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *k = address_kind(cases[i].ip, strlen(cases[i].ip));
        CHECKF(strcmp(k, cases[i].kind) == 0, "%s: got %s, want %s", cases[i].ip, k,
               cases[i].kind);
    }
}

static void cidrs(void)
{
    static const struct {
        const char *ip, *cidr;
        int want;
    } cases[] = {
        {"10.1.2.3", "10.0.0.0/8", 1},
        {"11.1.2.3", "10.0.0.0/8", 0},
        {"34.248.110.17", "34.248.110.0/24", 1},
        {"34.248.111.17", "34.248.110.0/24", 0},
        {"1.2.3.4", "0.0.0.0/0", 1},
        {"1.2.3.4", "1.2.3.4", 1},
        {"1.2.3.5", "1.2.3.4/32", 0},
        {"172.20.0.1", "172.16.0.0/12", 1},
        {"2001:db8::1", "2001:db8::/32", 1},
        {"2001:db9::1", "2001:db8::/32", 0},
        {"2001:db8::1", "10.0.0.0/8", 0},
        {"::ffff:10.0.0.1", "10.0.0.0/8", 1},
        {"1.2.3.4", "1.2.3.0/33", -1},
        {"1.2.3.4", "1.2.3.0/", -1},
        {"1.2.3.4", "1.2.3.0/x", -1},
        {"nonsense", "10.0.0.0/8", -1},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r =
            address_in_cidr(cases[i].ip, strlen(cases[i].ip), cases[i].cidr, strlen(cases[i].cidr));
        CHECKF(r == cases[i].want, "%s in %s: got %d", cases[i].ip, cases[i].cidr, r);
    }
}

const unit_test unit_address[] = {
    {"address_kinds", kinds},
    {"address_cidrs", cidrs},
    {NULL, NULL},
};
