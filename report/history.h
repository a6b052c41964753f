/* SPDX-License-Identifier: GPL-2.0 */
/* The nightly history database (history.c) and its trend report (trend.c). */
#ifndef HISTORY_H
#define HISTORY_H

#include <sqlite3.h>

int history_open(const char *path, sqlite3 **db);
int history_add_night(sqlite3 *db, const char *night_dir);
int history_add_baseline(sqlite3 *db, const char *file);
int cmd_history(int argc, char **argv);
int cmd_trend(int argc, char **argv);

#endif /* HISTORY_H */
