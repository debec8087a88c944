#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The Xen series' form, the part a maintainer checks before reading the
code.  Prints TAP, one line a check, and exits non-zero if any fails:

  * xen-patches/series and the *.patch files agree: every patch file but
    0000-cover-letter.patch is listed, every listed file exists, none is
    listed twice, and the cover letter is not listed (git am cannot apply it);
  * for every listed patch, and for 0000-cover-letter.patch if present:
      - its From: header (unfolded and decoded, as git format-patch may fold
        and encode it) names the same person and address as one of its
        Signed-off-by: lines;
      - it has a Subject (not git's "*** SUBJECT HERE ***");
      - its message has a body beyond the subject line, saying why (trailers
        such as Signed-off-by: do not count; nor does git's "*** BLURB HERE
        ***").

Whether the patches apply, and build, is rig/xen-tree's and rig/build-xen's.

  usage: rig/series-form.py [DIR]     DIR defaults to this checkout's
                                      xen-patches/
"""

import email
import email.header
import email.utils
import os
import re
import sys

COVER = '0000-cover-letter.patch'
TRAILER = re.compile(r'^[A-Za-z0-9][A-Za-z0-9-]*: ')
SHORTLOG = re.compile(r'^\S.* \(\d+\):$')


def read_series(path):
    """Names xen-patches/series lists, as rig/lib.sh reads them: '#' starts
    a comment, blanks are dropped."""
    names = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            name = re.sub(r'\s', '', line.split('#', 1)[0])
            if name:
                names.append(name)
    return names


def decode_header(value):
    """A header as its author wrote it: unfolded, RFC 2047 words decoded."""
    if value is None:
        return None
    value = re.sub(r'\r?\n(?=[ \t])', '', str(value))
    return str(email.header.make_header(email.header.decode_header(value)))


def person(text):
    """(name, address) of 'Name <address>' as a Signed-off-by: writes it
    (no quoting: a name may hold commas and dots)."""
    m = re.match(r'^\s*(.*?)\s*<([^<>]+)>\s*$', text)
    if not m:
        return (text.strip(), '')
    name = m.group(1)
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    return (name, m.group(2))


def parse_patch(data, cover=False):
    """From, Subject, commit message body and Signed-off-by lines of a
    git format-patch file (bytes)."""
    msg = email.message_from_bytes(data)
    payload = msg.get_payload(decode=True)
    if isinstance(payload, bytes):
        text = payload.decode('utf-8', 'replace')
    else:
        text = str(msg.get_payload())
    message = []
    for line in text.replace('\r\n', '\n').split('\n'):
        if line in ('---', '-- ') or line.startswith('diff --git '):
            break
        if cover and SHORTLOG.match(line):
            break
        message.append(line.rstrip())
    sobs = [l[len('Signed-off-by:'):].strip() for l in message
            if l.startswith('Signed-off-by:')]
    # The trailer block is the last paragraph when all its lines are
    # trailers (or their indented continuations).
    while message and not message[-1]:
        message.pop()
    paragraph = len(message)
    while paragraph > 0 and message[paragraph - 1]:
        paragraph -= 1
    last = message[paragraph:]
    if last and all(TRAILER.match(l) or l[:1] in (' ', '\t') for l in last) \
            and TRAILER.match(last[0]):
        message = message[:paragraph]
    body = '\n'.join(message).strip()
    raw_from = msg.get('From')
    return {
        'from': decode_header(raw_from) if raw_from is not None else None,
        'subject': decode_header(msg.get('Subject')),
        'body': body,
        'sobs': sobs,
    }


def check_patch(name, data):
    """[(ok, description, [diagnostics])] for one patch file."""
    cover = name == COVER
    p = parse_patch(data, cover)
    results = []

    diag = ['From: %s' % p['from']] + ['Signed-off-by: %s' % s for s in p['sobs']]
    if p['from'] is None:
        ok = False
        diag = ['no From: header']
    elif not p['sobs']:
        ok = False
        diag.append('no Signed-off-by: line')
    else:
        fname, faddr = email.utils.parseaddr(p['from'])
        ok = any(person(s) == (fname, faddr) for s in p['sobs'])
    results.append((ok, '%s: From: is one of its Signed-off-by: lines' % name,
                    [] if ok else diag))

    subject = re.sub(r'^(\[[^\]]*\]\s*)+', '', p['subject'] or '').strip()
    ok = bool(subject) and '*** SUBJECT HERE ***' not in subject
    results.append((ok, '%s: has a Subject' % name,
                    [] if ok else ['Subject: %s' % p['subject']]))

    body = p['body']
    why = ''
    if not body:
        why = 'the message is the subject line alone'
    elif '*** BLURB HERE ***' in body:
        why = 'the cover letter still says *** BLURB HERE ***'
    elif re.sub(r'\s+', ' ', body) == re.sub(r'\s+', ' ', subject):
        why = 'the body repeats the subject line'
    results.append((not why, '%s: its message says why, beyond the subject' % name,
                    [why] if why else []))
    return results


def check(directory):
    """[(ok, description, [diagnostics])] for a patch directory."""
    results = []
    series_path = os.path.join(directory, 'series')
    files = sorted(f for f in os.listdir(directory) if f.endswith('.patch'))
    try:
        listed = read_series(series_path)
    except OSError as e:
        results.append((False, 'series: can be read', [str(e)]))
        listed = []

    unlisted = [f for f in files if f != COVER and f not in listed]
    results.append((not unlisted, 'series: lists every patch file but %s' % COVER,
                    ['not listed: %s' % f for f in unlisted]))
    missing = [f for f in listed if not os.path.isfile(os.path.join(directory, f))]
    results.append((not missing, 'series: every file it lists exists',
                    ['missing: %s' % f for f in missing]))
    twice = sorted({f for f in listed if listed.count(f) > 1})
    results.append((not twice, 'series: lists no patch twice',
                    ['listed %d times: %s' % (listed.count(f), f) for f in twice]))
    results.append((COVER not in listed, 'series: does not list %s' % COVER,
                    [] if COVER not in listed else ['git am cannot apply a cover letter']))

    todo = []
    if os.path.isfile(os.path.join(directory, COVER)):
        todo.append(COVER)
    for f in listed:
        if f not in todo and f not in missing:
            todo.append(f)
    for f in todo:
        with open(os.path.join(directory, f), 'rb') as fh:
            results.extend(check_patch(f, fh.read()))
    return results


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    directory = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, '..', 'xen-patches')
    results = check(directory)
    print('1..%d' % len(results))
    for n, (ok, what, diag) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
        for d in diag:
            print('# %s' % d)
    return 0 if all(r[0] for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
