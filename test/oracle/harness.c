/*
 * sched's Debian-cron oracle harness (ours; Debian's code is NOT copied here).
 *
 * Built by test/oracle/build.sh against the Debian cron 3.0pl1 source fetched with
 * `apt-get source cron`: this file #includes that tree's cron.c (with its main() renamed) so that
 * the real static find_jobs() predicate is used, and is linked with the real entry.c (load_entry,
 * get_list, get_range, get_number), misc.c, env.c and compat.c.
 *
 * Usage: cron-oracle START END < expressions
 *   START, END: epoch seconds. The zone is the process's TZ (run it under TZ=Europe/Berlin etc.).
 *   stdin: one cron expression per line (5 fields or an @-macro, no command).
 * Output, one line per input line, after all input is read:
 *   "ERR"            when Debian's load_entry() rejects the line,
 *   "REBOOT"         for @reboot,
 *   "OK t1 t2 ..."   else: the epoch seconds, in (START, END], at which cron would start the job,
 *                    each reported once, at the start of the real minute cron acted on.
 * All accepted lines form one crontab run by one simulated daemon, as cron would run them.
 *
 * The fire times come from a minute-by-minute simulation of cron.c's main loop: the daemon wakes
 * at every real minute, computes clockTime = (now + GMToff) / 60 as set_time() does (GMToff from
 * localtime/gmtime under TZ), and classifies timeRunning - virtualTime into the same wakeup kinds
 * (normal, late, DST forward, DST backward, jump), calling the real find_jobs() with the same
 * doWild/doNonWild arguments. The simulation starts 4 hours before START, in the steady state.
 */
#define main debian_cron_main
#include "cron.c"
#undef main

#include <string.h>
#include <stdlib.h>

/* ---- stubs for the parts of cron we do not link (database, job queue, daemon plumbing) ---- */

/* Fire times per input line; job_add() (called by the real find_jobs()) appends the current
 * wake instant to the entry's list. The entry's uid (unused here) holds its line index. */
typedef struct { long *t; size_t n, cap; } times_t;
static times_t *fires;
static time_t wake_instant, win_start, win_end;

void job_add(entry *e, user *u) {
  times_t *ft = &fires[e->uid];
  (void)u;
  if (wake_instant <= win_start || wake_instant > win_end) return;
  if (ft->n > 0 && ft->t[ft->n - 1] == (long)wake_instant) return; /* one instant, reported once */
  if (ft->n == ft->cap) {
    ft->cap = ft->cap ? ft->cap * 2 : 64;
    ft->t = realloc(ft->t, ft->cap * sizeof(long));
    if (!ft->t) { perror("realloc"); exit(3); }
  }
  ft->t[ft->n++] = (long)wake_instant;
}
int job_runqueue(void) { return 0; }
void load_database(cron_db *db) { (void)db; }
void check_orphans(cron_db *db) { (void)db; }

static long gmtoff_at(time_t t) {
  struct tm tm = *localtime(&t);
  return get_gmtoff(&t, &tm);
}

/* parse with Debian's load_entry(); returns NULL when Debian rejects the line */
static entry *parse_line(const char *expr, struct passwd *pw, char **envp) {
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "%s true\n", expr);
  if (n <= 0 || (size_t)n >= sizeof buf) return NULL;
  FILE *f = fmemopen(buf, strlen(buf), "r");
  if (!f) return NULL;
  entry *e = load_entry(f, NULL, pw, envp);
  fclose(f);
  return e;
}

/* One simulated daemon running a crontab of every accepted line (cron.c's main loop). */
static void simulate(cron_db *db) {
  time_min tRun, vTime, clk;
  time_t now = ((win_start - 4 * 3600) / 60) * 60;

  clk = (now + gmtoff_at(now)) / (time_t)SECONDS_PER_MINUTE;
  tRun = vTime = clk;
  for (now += 60; now <= win_end; now += 60) {
    time_min timeDiff;
    int wakeupKind;
    /* the daemon sleeps until the local minute changes (cron_sleep + set_time) */
    clk = (now + gmtoff_at(now)) / (time_t)SECONDS_PER_MINUTE;
    if (clk == tRun) continue;
    wake_instant = now;
    tRun = clk;
    timeDiff = tRun - vTime;
    if (timeDiff == 1) {
      vTime = tRun;
      find_jobs(vTime, db, TRUE, TRUE);
      continue;
    }
    wakeupKind = -1;
    if (timeDiff > -(3 * MINUTE_COUNT)) wakeupKind = 0;
    if (timeDiff > 0) wakeupKind = 1;
    if (timeDiff > 5) wakeupKind = 2;
    if (timeDiff > (3 * MINUTE_COUNT)) wakeupKind = 3;
    switch (wakeupKind) {
      case 1:
        do {
          vTime++;
          find_jobs(vTime, db, TRUE, TRUE);
        } while (vTime < tRun);
        break;
      case 2:
        find_jobs(tRun, db, TRUE, FALSE);
        do {
          vTime++;
          find_jobs(vTime, db, FALSE, TRUE);
        } while (vTime < tRun);
        break;
      case 0:
        find_jobs(tRun, db, TRUE, FALSE);
        break;
      default:
        vTime = tRun;
        find_jobs(tRun, db, TRUE, TRUE);
    }
  }
}

int main(int argc, char **argv) {
  static char pwname[] = "oracle", pwdir[] = "/", pwshell[] = "/bin/sh", pwpass[] = "x";
  struct passwd pw;
  char *envp[] = {NULL};
  char line[4096];
  size_t nlines = 0, cap = 0, i, k;
  int *status = NULL; /* 0 rejected, 1 accepted, 2 @reboot */
  static cron_db db;
  static user u;
  entry *tail = NULL;
  if (argc != 3) {
    fprintf(stderr, "usage: %s START END < expressions   (epoch seconds; zone from TZ)\n", argv[0]);
    return 2;
  }
  win_start = (time_t)atoll(argv[1]);
  win_end = (time_t)atoll(argv[2]);
  tzset();
  memset(&pw, 0, sizeof pw);
  pw.pw_name = pwname;
  pw.pw_passwd = pwpass;
  pw.pw_dir = pwdir;
  pw.pw_shell = pwshell;
  u.crontab = NULL;
  u.next = NULL;
  db.head = db.tail = &u;
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    entry *e;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (nlines == cap) {
      cap = cap ? cap * 2 : 256;
      status = realloc(status, cap * sizeof(int));
      if (!status) { perror("realloc"); return 3; }
    }
    e = parse_line(line, &pw, envp);
    if (!e) {
      status[nlines] = 0;
    } else if (e->flags & WHEN_REBOOT) {
      status[nlines] = 2;
    } else {
      status[nlines] = 1;
      e->uid = (uid_t)nlines;
      e->next = NULL;
      if (tail) tail->next = e; else u.crontab = e;
      tail = e;
    }
    nlines++;
  }
  fires = calloc(nlines ? nlines : 1, sizeof(times_t));
  if (!fires) { perror("calloc"); return 3; }
  simulate(&db);
  for (i = 0; i < nlines; i++) {
    if (status[i] == 0) { fputs("ERR\n", stdout); continue; }
    if (status[i] == 2) { fputs("REBOOT\n", stdout); continue; }
    fputs("OK", stdout);
    for (k = 0; k < fires[i].n; k++) printf(" %ld", fires[i].t[k]);
    fputc('\n', stdout);
  }
  return 0;
}
