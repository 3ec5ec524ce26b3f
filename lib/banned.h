/*
 * banned.h - functions libpp and its programs must not call.
 *
 * Included last by every .c file in lib/, cmd/ and tests/unit/.  Each name
 * below either overflows silently, hides its error, or keeps hidden global
 * state; the replacement is named beside it.  A call is a compile error.
 */
#ifndef PP_BANNED_H
#define PP_BANNED_H

#define BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)       /* pp_buf_addstr, memcpy */
#undef strcat
#define strcat(x, y) BANNED(strcat)       /* pp_buf_addstr */
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)  /* pp_buf, snprintf */
#undef sprintf
#define sprintf(...) BANNED(sprintf)      /* snprintf, pp_buf_addf */
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)    /* vsnprintf */
#undef strtok
#define strtok(x, y) BANNED(strtok)       /* strchr, pp_split */
#undef atoi
#define atoi(x) BANNED(atoi)              /* pp_parse_long */
#undef atol
#define atol(x) BANNED(atol)              /* pp_parse_long */
#undef atof
#define atof(x) BANNED(atof)              /* pp_parse_double */
#undef gmtime
#define gmtime(x) BANNED(gmtime)          /* gmtime_r, pp_date_* */
#undef localtime
#define localtime(x) BANNED(localtime)    /* localtime_r */

#endif
