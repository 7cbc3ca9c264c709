/**
 * Appended tests for C, C++ and bash, kept apart from the program they test. C/C++: the program and the
 * tests are two translation units (the program cannot `#define` into the tests; it compiles alone, where
 * the tests are not, so it cannot include them either), linked with a runner
 * (`--wrap=main`) that reads a per-run marker from fd 5 before any of the program's constructors, closes
 * it, and writes the end report on fd 3 only when the tests' `main` returned 0. Every global symbol of the
 * program that the tests do not need from it is made local, so it cannot replace a library function the
 * tests call (`strcmp`, `__assert_fail`, ...). bash: a fixed runner reads the marker and the tests from fd
 * 5, closes it, sources the program, then evals the tests; no file holds the tests.
 *
 * All of it shares one process with the program: a program that reads its own memory (or, in bash, its
 * shell variables) can find the marker and forge the end report. Results say so (`trust: "forgeable"`).
 */

/** Runner of compiled tests. Raw syscalls: the program cannot interpose libc calls on the runner. */
export const RUNNER_C = String.raw`#include <sys/syscall.h>
static char rk_m[33];
static long rk_sys(long n, long a, long b, long c) {
#if defined(__x86_64__)
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#else
  extern long syscall(long, ...);
  return syscall(n, a, b, c);
#endif
}
/* preinit runs before every constructor: the marker is gone from fd 5 before the program's code runs. */
static void rk_take(void) {
  long got = 0;
  while (got < 32) {
    long r = rk_sys(SYS_read, 5, (long)(rk_m + got), 32 - got);
    if (r <= 0) break;
    got += r;
  }
  rk_sys(SYS_close, 5, 0, 0);
  if (got != 32) rk_m[0] = 0;
}
__attribute__((used, section(".preinit_array"))) static void (*const rk_pre)(void) = rk_take;
static long rk_len(const char *s) { long n = 0; while (s[n]) n++; return n; }
static void rk_put(int fd, const char *s) { rk_sys(SYS_write, fd, (long)s, rk_len(s)); }
static void rk_die(void) { for (;;) { rk_sys(SYS_exit_group, 134, 0, 0); __builtin_trap(); } }
void rk_assert_fail(const char *e, const char *file, unsigned line, const char *fn) {
  char num[16]; int i = 15; num[i] = 0;
  do { num[--i] = (char)('0' + line % 10); line /= 10; } while (line && i > 0);
  rk_put(2, "Assertion failed: "); rk_put(2, e); rk_put(2, " (line "); rk_put(2, num + i);
  rk_put(2, fn ? ", " : ")\n"); if (fn) { rk_put(2, fn); rk_put(2, ")\n"); }
  (void)file;
  rk_die();
}
int __real_main(int, char **, char **);
int __wrap_main(int argc, char **argv, char **envp) {
  int s = __real_main(argc, argv, envp);
  if (s == 0 && rk_m[0]) { rk_put(3, "{\"m\":\""); rk_put(3, rk_m); rk_put(3, "\",\"end\":true}\n"); }
  return s;
}
`;

/** The tests' unit: a fresh assert (NDEBUG off, failures to the runner), the declarations, the tests. */
export function testsUnit(declarations: string, tests: string): string {
  return [
    "#undef NDEBUG",
    "#define __assert_fail rk_assert_fail",
    "#include <assert.h>",
    declarations,
    "#line 1",
    tests,
    "",
  ].join("\n");
}

/**
 * Links the program's object (prog.o, compiled before, in a dir without the tests: no `#include` or
 * `.incbin` of them) with the tests' unit and the runner, exiting 10 when the tests' unit does not
 * compile (the reference's fault), 11 for the runner or a missing tool, 13 when the program cannot be
 * linked with them.
 * `$1` compiler, `$2` extension, then the compiler flags.
 */
export const BUILD_SH = String.raw`set -u
cc="$1"; x="$2"; shift 2
for t in nm objcopy awk sed sort comm grep; do
  command -v "$t" >/dev/null || { echo "$t is not installed" >&2; exit 11; }
done
"$cc" -x c -O2 -w -c runner.c -o runner.o || exit 11
w=; [ "$x" = c ] && w=-Werror=implicit-function-declaration
"$cc" "$@" $w -c "tests.$x" -o tests.o || exit 10
nm --defined-only tests.o | grep -q ' [TW] main$' || { echo "the tests define no main()" >&2; exit 10; }
# An IFUNC resolver would run before the runner takes the marker.
if nm prog.o | grep -q ' [i] '; then echo "indirect functions (ifunc) are not allowed" >&2; exit 13; fi
# What the tests need from the program: their references the libraries do not resolve.
"$cc" -o probe runner.o tests.o -Wl,--wrap=main -Wl,--no-demangle -lm 2>probe.err
sed -n "s/.*undefined reference to [\`']\(.*\)'$/\1/p" probe.err | sort -u >needed
# Every other global of the program becomes local; weak C++ ones the tests also define stay (the
# tests' copies link first), any other would replace a library's.
nm -g --defined-only tests.o | awk '{print $3}' | sort -u >tdefined
nm -g --defined-only prog.o | awk '$2 ~ /^[WVwvu]$/ && $3 ~ /^_Z/ {print $3}' | sort -u | comm -12 - tdefined >shared
nm -g --defined-only prog.o | awk '{print $3}' | sort -u | comm -23 - needed | comm -23 - shared >private
if [ -s private ]; then objcopy --localize-symbols=private prog.o || exit 13; fi
"$cc" -o prog runner.o tests.o prog.o -Wl,--wrap=main -lm || exit 13
`;

/**
 * The bash runner (`bash run.sh prog.sh entry`): marker line, then the tests, on fd 5, read and closed before
 * the program runs, and readonly (the program cannot swap the tests). One `{ }` block, parsed before the
 * program can define aliases. After the program: posix mode (functions cannot replace special builtins
 * such as `eval`, `exit`, `unset`), PATH reset, the program's functions named like a builtin or a
 * command on PATH removed (but the entry point), aliases off; the tests then run in posix mode. `$?` is tested by the `[[`
 * keyword, never through a variable the program could freeze; nothing goes on outside posix mode.
 */
export const RUNNER_SH = String.raw`{
IFS= read -r __rk_m <&5
__rk_t=$(cat <&5)
exec 5<&-
readonly __rk_m __rk_t
__rk_p=$1
__rk_k=$2
readonly __rk_k
shift 2
. "$__rk_p"
POSIXLY_CORRECT=1
if [[ -o posix ]]; then
  set -f
  IFS=' 	
'
  PATH=/usr/local/bin:/usr/bin:/bin
  unset -f compgen type
  for __rk_f in $(compgen -A function); do
    [[ $__rk_f != "$__rk_k" && $(type -a -t -- "$__rk_f") == *$'\n'* ]] && unset -f -- "$__rk_f"
  done
  unalias -a
  shopt -u expand_aliases
  set +f
  eval "$__rk_t"
  if [[ $? = 0 ]]; then
    POSIXLY_CORRECT=1
    if [[ -o posix ]]; then
      unset -f builtin printf
      builtin printf '{"m":"%s","end":true}\n' "$__rk_m" >&3
    fi
  else
    POSIXLY_CORRECT=1
    exit 1
  fi
fi
}
`;
