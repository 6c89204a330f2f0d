/*
 * test_datetime.c - date/time functions: Java patterns (format and parse), time zones from
 * the tz database, arithmetic with units, NULL and invalid inputs.
 */
#include "fnt.h"

#define S(x) fnt_str(x)
#define I(x) fnt_int(x)
#define L(x) fnt_big(x)
#define TS(x) fnt_lit(eddy_value_timestamp(x), EDDY_TYPE_TIMESTAMP)
#define DT(x) fnt_lit(eddy_value_date(x), EDDY_TYPE_DATE)
#define TM(x) fnt_lit(eddy_value_time(x), EDDY_TYPE_TIME)

typedef struct {
    fn_expr *e;
    const char *want;
} tcase;

static void run(const tcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        eddy_value v = fnt_eval(c[i].e);
        const char *got = fnt_fmt(&v, c[i].e->type);
        if (strcmp(got, c[i].want) != 0)
            fail_msg("case %zu (%s): got '%s', want '%s' (log: %s)", i,
                     c[i].e->u.call.fn->name, got, c[i].want, fnt_last_log);
    }
}

/* 2020-02-29T13:05:09.007Z */
#define T0 1582981509007LL

static void test_format(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("TIMESTAMPTOSTRING", L(T0), S("yyyy-MM-dd'T'HH:mm:ss.SSS")),
         "2020-02-29T13:05:09.007"},
        {FNT_CALL("TIMESTAMPTOSTRING", L(T0), S("yyyy-MM-dd HH:mm:ss"), S("America/New_York")),
         "2020-02-29 08:05:09"},
        {FNT_CALL("TIMESTAMPTOSTRING", L(T0), S("yyyy-MM-dd HH:mm:ssXXX"), S("+05:30")),
         "2020-02-29 18:35:09+05:30"},
        {FNT_CALL("TIMESTAMPTOSTRING", L(T0), S("EEE, d MMM yy h:mm a")),
         "Sat, 29 Feb 20 1:05 PM"},
        {FNT_CALL("TIMESTAMPTOSTRING", L(T0), S("EEEE MMMM D ''X'' z"), S("Europe/Paris")),
         "Saturday February 60 '+01' CET"},
        {FNT_CALL("TIMESTAMPTOSTRING", L(1593000000000LL), S("HH:mm z Z"), S("Europe/Paris")),
         "14:00 CEST +0200"},
        {FNT_CALL("FORMAT_TIMESTAMP", TS(T0), S("yyyyMMddHHmmssSSS")), "20200229130509007"},
        {FNT_CALL("FORMAT_TIMESTAMP", TS(0), S("yyyy-MM-dd HH:mm X"), S("UTC")),
         "1970-01-01 00:00 Z"},
        {FNT_CALL("FORMAT_TIMESTAMP", TS(-1), S("yyyy-MM-dd HH:mm:ss.SSS")),
         "1969-12-31 23:59:59.999"},
        {FNT_CALL("DATETOSTRING", I(18321), S("dd/MM/yyyy")), "29/02/2020"},
        {FNT_CALL("FORMAT_DATE", DT(18321), S("yyyy.MM.dd G")), "2020.02.29 AD"},
        {FNT_CALL("FORMAT_TIME", TM(3723004), S("HH:mm:ss.SSS")), "01:02:03.004"},
        {FNT_CALL("FORMAT_TIME", TM(3723004), S("hh 'o''clock' a")), "01 o'clock AM"},
        {FNT_CALL("TIMESTAMPTOSTRING", fnt_null(EDDY_TYPE_BIGINT), S("yyyy")), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    assert_int_equal(fnt_nlogged, 0);
    /* a time field in a date pattern, an unknown zone, a bad pattern: errors */
    FNT_EXPECT(FNT_CALL("FORMAT_DATE", DT(1), S("yyyy HH")), "NULL");
    FNT_EXPECT(FNT_CALL("TIMESTAMPTOSTRING", L(0), S("yyyy"), S("Mars/Olympus")), "NULL");
    FNT_EXPECT(FNT_CALL("TIMESTAMPTOSTRING", L(0), S("yyyy-'MM")), "NULL");
    FNT_EXPECT(FNT_CALL("TIMESTAMPTOSTRING", L(0), S("yyyy-bb")), "NULL");
    assert_int_equal(fnt_nlogged, 4);
}

static void test_parse(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-02-29T13:05:09.007"),
                  S("yyyy-MM-dd'T'HH:mm:ss.SSS")), "1582981509007"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-02-29 08:05:09"), S("yyyy-MM-dd HH:mm:ss"),
                  S("America/New_York")), "1582981509000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-02-29 18:35:09+0530"),
                  S("yyyy-MM-dd HH:mm:ssZ"), S("America/New_York")), "1582981509000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("20200229"), S("yyyyMMdd")), "1582934400000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("1:05 pm"), S("h:mm a")), "47100000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("29-feb-2020"), S("dd-MMM-yyyy")), "1582934400000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-06-24 16:00 Europe/Paris"),
                  S("yyyy-MM-dd HH:mm VV")), "1593007200000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-06-24"), S("yyyy-MM-dd[ HH:mm]")),
         "1592956800000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2020-06-24 01:30"), S("yyyy-MM-dd[ HH:mm]")),
         "1592962200000"},
        {FNT_CALL("PARSE_TIMESTAMP", S("2020-02-29 13:05:09.007"), S("yyyy-MM-dd HH:mm:ss.SSS")),
         "2020-02-29T13:05:09.007"},
        {FNT_CALL("STRINGTODATE", S("2020-02-29"), S("yyyy-MM-dd")), "18321"},
        {FNT_CALL("PARSE_DATE", S("29/02/2020"), S("dd/MM/yyyy")), "2020-02-29"},
        {FNT_CALL("PARSE_TIME", S("01:02:03.004"), S("HH:mm:ss.SSS")), "01:02:03"},
        {FNT_CALL("STRINGTODATE", fnt_null(EDDY_TYPE_STRING), S("yyyy")), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    eddy_value t = fnt_eval(FNT_CALL("PARSE_TIME", S("01:02:03.004"), S("HH:mm:ss.SSS")));
    assert_int_equal(t.u.i32, 3723004);
    assert_int_equal(fnt_nlogged, 0);
    /* invalid dates and trailing text are errors */
    FNT_EXPECT(FNT_CALL("STRINGTODATE", S("2019-02-29"), S("yyyy-MM-dd")), "NULL");
    FNT_EXPECT(FNT_CALL("STRINGTODATE", S("2020-01-01x"), S("yyyy-MM-dd")), "NULL");
    FNT_EXPECT(FNT_CALL("STRINGTOTIMESTAMP", S("2020-13-01"), S("yyyy-MM-dd")), "NULL");
    FNT_EXPECT(FNT_CALL("PARSE_TIME", S("2020-01-01 10:00"), S("yyyy-MM-dd HH:mm")), "NULL");
    assert_int_equal(fnt_nlogged, 4);
}

/* PARSE_DATE reads as ksqlDB's ParseDate (FastDateFormat, SimpleDateFormat rules): text after
 * the pattern is ignored, numbers take as many digits as there are unless another number
 * follows directly, out-of-range fields roll over; STRINGTODATE keeps java.time's rules. */
static void test_parse_date_simple_date_format(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("PARSE_DATE", S("2003-12-24-01-01"), S("yyyy-MM-dd")), "2003-12-24"},
        {FNT_CALL("PARSE_DATE", S("2021-7-4 and more"), S("yyyy-MM-dd")), "2021-07-04"},
        {FNT_CALL("PARSE_DATE", S("20210704"), S("yyyyMMdd")), "2021-07-04"},
        {FNT_CALL("PARSE_DATE", S("2021-13-01"), S("yyyy-MM-dd")), "2022-01-01"},
        {FNT_CALL("PARSE_DATE", S("2021-03-00"), S("yyyy-MM-dd")), "2021-02-28"},
        {FNT_CALL("PARSE_DATE", S("4 July 2021"), S("d MMM yyyy")), "2021-07-04"},
        {FNT_CALL("PARSE_DATE", S("[2021]"), S("[yyyy]")), "2021-01-01"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    assert_int_equal(fnt_nlogged, 0);
    /* missing text, a literal of another case, a time of day: errors */
    FNT_EXPECT(FNT_CALL("PARSE_DATE", S("2004"), S("yyyy-MM-dd")), "NULL");
    FNT_EXPECT(FNT_CALL("PARSE_DATE", S("2004x01"), S("yyyy'X'MM")), "NULL");
    FNT_EXPECT(FNT_CALL("PARSE_DATE", S("2004-01-01 10"), S("yyyy-MM-dd HH")), "NULL");
    FNT_EXPECT(FNT_CALL("STRINGTODATE", S("2003-12-24-01-01"), S("yyyy-MM-dd")), "NULL");
    assert_int_equal(fnt_nlogged, 4);
}

/* A 'z' field reads zone names as well as ids: a name stands for its metazone's zone, whose
 * daylight saving rules apply (PST in May is UTC-7, as America/Los_Angeles is). */
static void test_parse_zone_names(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("PARSE_TIMESTAMP", S("2018-05-11T21:58:33 PST"),
                  S("yyyy-MM-dd'T'HH:mm:ss zzz")), "2018-05-12T04:58:33.000"},
        {FNT_CALL("PARSE_TIMESTAMP", S("2018-01-11T21:58:33 pst"),
                  S("yyyy-MM-dd'T'HH:mm:ss z")), "2018-01-12T05:58:33.000"},
        {FNT_CALL("PARSE_TIMESTAMP", S("2018-07-01 12:00 Central European Summer Time"),
                  S("yyyy-MM-dd HH:mm zzzz")), "2018-07-01T10:00:00.000"},
        {FNT_CALL("PARSE_TIMESTAMP", S("2018-07-01 12:00 Asia/Tokyo"),
                  S("yyyy-MM-dd HH:mm z")), "2018-07-01T03:00:00.000"},
        {FNT_CALL("STRINGTOTIMESTAMP", S("2018-01-01 00:00 EST"), S("yyyy-MM-dd HH:mm z")),
         "1514782800000"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    assert_int_equal(fnt_nlogged, 0);
    /* a name is not a zone id: 'VV' and the zone argument still need ids */
    FNT_EXPECT(FNT_CALL("PARSE_TIMESTAMP", S("2018-01-01 00:00 PST"), S("yyyy-MM-dd HH:mm VV")),
               "NULL");
    FNT_EXPECT(FNT_CALL("PARSE_TIMESTAMP", S("2018-01-01"), S("yyyy-MM-dd"), S("PST")), "NULL");
    assert_int_equal(fnt_nlogged, 2);
}

static void test_conversions_and_arithmetic(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("UNIX_TIMESTAMP", TS(T0)), "1582981509007"},
        {FNT_CALL("UNIX_DATE", DT(18321)), "18321"},
        {FNT_CALL("FROM_UNIXTIME", L(T0)), "2020-02-29T13:05:09.007"},
        {FNT_CALL("FROM_DAYS", I(18321)), "2020-02-29"},
        {FNT_CALL("DATEADD", S("DAYS"), I(2), DT(18321)), "2020-03-02"},
        {FNT_CALL("DATESUB", S("DAYS"), I(366), DT(18321)), "2019-02-28"},
        {FNT_CALL("DATEADD", S("HOURS"), I(47), DT(18321)), "2020-03-01"},
        {FNT_CALL("TIMEADD", S("HOURS"), I(25), TM(3600000)), "02:00"},
        {FNT_CALL("TIMESUB", S("MINUTES"), I(61), TM(0)), "22:59"},
        {FNT_CALL("TIMESTAMPADD", S("MILLISECONDS"), I(5), TS(T0)), "2020-02-29T13:05:09.012"},
        {FNT_CALL("TIMESTAMPSUB", S("SECONDS"), I(9), TS(T0)), "2020-02-29T13:05:00.007"},
        {FNT_CALL("TIMESTAMPADD", S("DAYS"), fnt_null(EDDY_TYPE_INT), TS(T0)), "NULL"},
        {FNT_CALL("CONVERT_TZ", TS(T0), S("UTC"), S("America/Los_Angeles")),
         "2020-02-29T05:05:09.007"},
        {FNT_CALL("CONVERT_TZ", TS(T0), S("+01:00"), S("Asia/Kolkata")),
         "2020-02-29T17:35:09.007"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("CONVERT_TZ", TS(0), S("UTC"), S("Nowhere/Special")), "NULL");
    assert_non_null(strstr(fnt_last_log, "Invalid time zone"));
    eddy_value now = fnt_eval(FNT_CALL("UNIX_TIMESTAMP"));
    assert_true(now.u.i64 > T0);
    /* units other than TimeUnit names are rejected at run time */
    FNT_EXPECT(FNT_CALL("DATEADD", S("FORTNIGHTS"), I(1), DT(0)), "NULL");
    /* a DATE where the unit belongs: no matching signature */
    eddy_err err;
    fn_expr *bad[] = {DT(0), I(5), DT(0)};
    assert_int_equal(fnt_resolve_err("DATESUB", 3, bad, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'datesub' does not accept parameters "
                                    "(DATE, INTEGER, DATE)."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_parse, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_parse_date_simple_date_format, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_parse_zone_names, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_conversions_and_arithmetic, fnt_setup,
                                        fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
