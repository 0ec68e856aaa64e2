// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the selftest binaries the harness builds, with
 * -Wl,--wrap=alarm: every alarm() they set, the kselftest harness's
 * per-test timeout (TEST_TIMEOUT_DEFAULT, TEST_F_TIMEOUT) among them, is
 * multiplied by $KSFT_TIMEOUT_SCALE.
 *
 * Why: the upstream tests carry 30-second timeouts that were chosen for
 * real hardware. The harness runs them on a debug kernel (KASAN, lockdep,
 * kmemleak) under TCG, on shared machines: a loaded CI machine makes the
 * same test take three times as long. A timeout exists to catch a hung
 * test, not a slow machine; scaling it keeps that job, and a loaded
 * machine only makes the run slower, never red. The tests themselves are
 * not changed, and a scale of 1 (or no variable) is the upstream
 * behaviour.
 */
#include <stdlib.h>
#include <unistd.h>

unsigned int __real_alarm(unsigned int seconds);

unsigned int __wrap_alarm(unsigned int seconds)
{
	const char *env = getenv("KSFT_TIMEOUT_SCALE");
	unsigned long scale = env ? strtoul(env, NULL, 10) : 1;

	if (scale < 1 || scale > 100)
		scale = 1;
	return __real_alarm(seconds * scale);
}
