#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rig/series-form.py on made-up patch directories: From: against
Signed-off-by: as git format-patch writes them (folded, quoted, RFC 2047
encoded), subjects and bodies, cover-letter placeholders, and the series
file against the patch files.  Prints TAP."""

import importlib.util
import os
import sys
import tempfile

RIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'rig')
spec = importlib.util.spec_from_file_location('series_form', os.path.join(RIG, 'series-form.py'))
sf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sf)

SOB = 'Jane Doe <jane@example.org>'


def patch(frm, subject='[PATCH 1/1] xen/x: do a thing', body='Because it helps.\n',
          sobs=(SOB,), cover=False):
    head = 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n'
    head += 'From: %s\nDate: Mon, 23 Nov 2026 20:32:57 +0000\nSubject: %s\n' % (frm, subject)
    head += 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n'
    head += 'Content-Transfer-Encoding: 8bit\n\n'
    msg = body + ('\n' if body else '') + ''.join('Signed-off-by: %s\n' % s for s in sobs)
    if cover:
        tail = '\nJane Doe (1):\n  xen/x: do a thing\n\n x | 1 +\n\n-- \n2.39.5\n'
    else:
        tail = ('---\n x | 1 +\n\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n'
                '+x\n-- \n2.39.5\n')
    return (head + msg + tail).encode('utf-8')


def verdicts(name, data):
    return [ok for ok, _, _ in sf.check_patch(name, data)]


n = 0
failed = 0


def check(what, ok):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} {what}")


print('1..14')
P = '0001-x.patch'
check('From: equal to the Signed-off-by: passes all three',
      verdicts(P, patch(SOB)) == [True, True, True])
check('a From: folded over two lines is unfolded',
      verdicts(P, patch('Jane Doe\n <jane@example.org>'))[0])
check('an RFC 2047 encoded From: is decoded',
      verdicts(P, patch('=?UTF-8?q?J=C3=BCrgen=20Gro=C3=9F?= <jg@example.org>',
                        sobs=('Jürgen Groß <jg@example.org>',)))[0])
check('a quoted From: name matches the unquoted Signed-off-by:',
      verdicts(P, patch('"J. Doe" <j@example.org>', sobs=('J. Doe <j@example.org>',)))[0])
check('a Signed-off-by: with a comma in the name',
      verdicts(P, patch('"Doe, Jane" <jane@example.org>',
                        sobs=('Doe, Jane <jane@example.org>',)))[0])
check('From: another person than every Signed-off-by: fails',
      verdicts(P, patch('Seed maintainers\n <m@example.org>',
                        sobs=('Other <o@example.org>', 'Third <t@example.org>')))[0] is False)
check('the same name at another address fails',
      verdicts(P, patch('Jane Doe <jane@elsewhere.org>'))[0] is False)
check('any of several Signed-off-by: lines may match',
      verdicts(P, patch(SOB, sobs=('Other <o@example.org>', SOB)))[0])
check('no Signed-off-by: fails', verdicts(P, patch(SOB, sobs=()))[0] is False)
check('a message of the subject line and trailers alone fails the body check',
      verdicts(P, patch(SOB, body='')) == [True, True, False])
check('a Subject of only [PATCH n/m] fails',
      verdicts(P, patch(SOB, subject='[PATCH 1/1]')) == [True, False, True])
check('a body that repeats the subject fails',
      verdicts(P, patch(SOB, body='xen/x: do a thing\n'))[2] is False)
check("a cover letter with git's placeholders fails subject and body",
      verdicts(sf.COVER, patch(SOB, subject='[PATCH 0/1] *** SUBJECT HERE ***',
                               body='*** BLURB HERE ***\n', cover=True)) == [True, False, False])

with tempfile.TemporaryDirectory() as d:
    for f in ('0001-a.patch', '0002-b.patch', '0003-unlisted.patch', sf.COVER):
        with open(os.path.join(d, f), 'wb') as fh:
            fh.write(patch(SOB, cover=f == sf.COVER))
    with open(os.path.join(d, 'series'), 'w') as fh:
        fh.write('# comment\n0001-a.patch\n\n0002-b.patch  # trailing\n0004-gone.patch\n'
                 '0001-a.patch\n')
    got = {what: (ok, diag) for ok, what, diag in sf.check(d)}
    check('series: an unlisted patch, a missing one and a duplicate are each named',
          got['series: lists every patch file but %s' % sf.COVER] ==
          (False, ['not listed: 0003-unlisted.patch']) and
          got['series: every file it lists exists'] == (False, ['missing: 0004-gone.patch']) and
          got['series: lists no patch twice'] == (False, ['listed 2 times: 0001-a.patch']) and
          got['series: does not list %s' % sf.COVER][0] and
          '%s: has a Subject' % sf.COVER in got)
sys.exit(1 if failed else 0)
