// libedit (BSD licence; Debian libedit-dev) through its readline-compatible API, plus the few C
// pieces a Swift caller cannot write portably: a SIGINT handler that only sets a flag, and a
// character reader that turns that flag into the end of the line being edited.
//
// The helpers are `static`: use them from ONE Swift file only (LineEditor.swift), so that the
// handler and the reader share one copy of the flag.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <editline/readline.h>

static volatile sig_atomic_t cascade_editline_interrupted = 0;

static void cascade_editline_on_sigint(int signo) {
    (void)signo;
    cascade_editline_interrupted = 1;
}

/// Reads one byte for libedit. A SIGINT (Ctrl-C) while waiting ends the line (as Enter would);
/// the caller then sees the flag and discards the line. Other interruptions are retried.
static int cascade_editline_getc(FILE *stream) {
    for (;;) {
        unsigned char byte;
        ssize_t count = read(fileno(stream), &byte, 1);
        if (count == 1) return byte;
        if (count == 0) return EOF;
        if (errno != EINTR) return EOF;
        if (cascade_editline_interrupted) return '\n';
    }
}

/// Prepares libedit for the REPL: our reader, no libedit signal handlers (they leave the
/// terminal in cooked mode after Ctrl-C), and a SIGINT handler without SA_RESTART.
static inline int cascade_editline_setup(const char *name) {
    rl_readline_name = name;
    rl_catch_signals = 0;
    rl_getc_function = cascade_editline_getc;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = cascade_editline_on_sigint;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    // A parent may have started us with SIGINT blocked; Ctrl-C must reach the handler.
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    sigprocmask(SIG_UNBLOCK, &interrupt, NULL);
    return rl_initialize();
}

/// Completion of the word before the cursor by `entries` (readline's entry function); `.` and
/// `:` stay inside words, so that `Math.ma` and `:he` complete whole.
static inline void cascade_editline_set_completion(rl_compentry_func_t *entries) {
    rl_completion_entry_function = entries;
    rl_basic_word_break_characters = " \t\n\"'()[]{},;+-*/%<>=!?&|";
}

/// A copy (to free) of the line being edited up to the cursor; while Tab completes, the text
/// in front of the word being completed is this minus that word.
static inline char *cascade_editline_line_before_cursor(void) {
    if (rl_line_buffer == NULL) return strdup("");
    size_t length = strlen(rl_line_buffer);
    size_t point = rl_point < 0 ? 0 : (size_t)rl_point;
    return strndup(rl_line_buffer, point < length ? point : length);
}

/// The newest history entry, or NULL.
static inline const char *cascade_editline_last_history(void) {
    if (history_length <= 0) return NULL;
    HIST_ENTRY *entry = history_get(history_base + history_length - 1);
    return entry ? entry->line : NULL;
}

/// Whether Ctrl-C was pressed since the last call; clears the flag.
static inline int cascade_editline_take_interrupt(void) {
    int was = cascade_editline_interrupted;
    cascade_editline_interrupted = 0;
    return was;
}
