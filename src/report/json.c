/*
 * json: JSON values through yajl, for the two JSON writers (JSON Lines and
 * OCSF). Strings are made valid UTF-8 first (escape_utf8), since a log
 * value may hold any bytes and yajl refuses what is not UTF-8.
 */
#include "writer.h"
#include "escape.h"

#include <string.h>

void report_gen_str(yajl_gen g, buffer *tmp, const char *s, size_t n)
{
    buffer_reset(tmp);
    if (s == NULL || escape_utf8(tmp, s, n) != 0) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_string(g, (const unsigned char *)(tmp->p ? tmp->p : ""), tmp->len);
}

void report_gen_key(yajl_gen g, const char *k)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

void report_gen_col(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        yajl_gen_null(g);
    else
        report_gen_str(g, tmp, report_col(st, c), report_col_len(st, c));
}

struct genlist {
    yajl_gen g;
    buffer *tmp;
};

static void gen_item(void *arg, const char *s, size_t n)
{
    struct genlist *l = arg;

    report_gen_str(l->g, l->tmp, s, n);
}

void report_gen_list(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c)
{
    struct genlist l = {g, tmp};

    yajl_gen_array_open(g);
    report_each_item(report_col(st, c), report_col_len(st, c), gen_item, &l);
    yajl_gen_array_close(g);
}

void report_gen_tables(yajl_gen g, buffer *tmp, sqlite3_stmt *st)
{
    struct genlist l = {g, tmp};

    yajl_gen_array_open(g);
    report_each_table(st, gen_item, &l);
    yajl_gen_array_close(g);
}

void report_gen_flush(struct report_out *o, yajl_gen g)
{
    const unsigned char *buf;
    size_t len;

    yajl_gen_get_buf(g, &buf, &len);
    report_out_raw(o, (const char *)buf, len);
    report_out_str(o, "\n");
    yajl_gen_clear(g);
    yajl_gen_reset(g, NULL);
}

void report_gen_int_kv(yajl_gen g, const char *k, long long v)
{
    report_gen_key(g, k);
    yajl_gen_integer(g, v);
}

void report_gen_str_kv(yajl_gen g, buffer *tmp, const char *k, const char *v)
{
    report_gen_key(g, k);
    report_gen_str(g, tmp, v, v ? strlen(v) : 0);
}
