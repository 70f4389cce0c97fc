// Package backup keeps an incremental, crash-safe copy of IMAP accounts on
// disk and checks it against the server: the engine of imapctl's backup,
// verify, restore and check commands. It knows nothing of the command line.
//
// Layout of a backup folder DIR:
//
//	DIR/.imapctl-backup.lock             lock (flock(2) plus the owner's PID)
//	DIR/<account>/.imapctl-account.json  who the account is
//	DIR/<account>/<mailbox path>/        one folder per mailbox
//	    .imapctl-state.json              UIDVALIDITY, last UID, HIGHESTMODSEQ
//	    .imapctl-manifest.jsonl          one JSON line per event, append-only
//	    cur/ new/ tmp/  |  <uid>.eml  |  mbox   the messages
//
// <mailbox path> is the mailbox name (UTF-8, RFC 3501 §5.1.3 decoded by the
// client) split at the server's hierarchy delimiter, each level escaped by
// EscapeName: a reversible percent escape of '/', '%', '\\', control bytes
// and names that could clash with the files above (".", "..", a leading
// dot, cur, new, tmp, mbox, *.eml).
//
// Crash safety rests on one order per message: the message file is made
// durable (the output package's atomic commit, grouped), then its manifest
// line is appended and fsynced, then the state file is replaced atomically.
// In the Maildir and eml formats a group is committed on a goroutine of
// its own while the next group is fetched into a second sink (at most one
// commit in flight); the order within each group is the same.
// A later run reconciles what a crash left: a file without a manifest line
// is removed and fetched again (never kept twice); a manifest line whose
// file is missing is fetched again; a torn last manifest line is cut off.
//
// Integrity: every manifest entry records the SHA-256 of the bytes the
// server sent (RFC 3501 BODY[], CRLF line ends; computed on a hashing
// goroutine while the message streams) and whether the stored bytes, put
// back to CRLF, give the server's bytes again ("lossless", found by
// comparing the two streams as they pass). The default policy raw with
// "\n" line ends is lossless exactly when the server message has no bare
// LF. A lossless message's file is checked against that SHA-256 (put back
// to CRLF); a lossy one also records the SHA-256 of its file
// (stored_sha256), read back at its group commit. (Manifests written
// before this record stored_sha256 for every message; both are read.)
//
// RFCs: RFC 3501 (LIST, STATUS, EXAMINE, UID FETCH BODY.PEEK[], APPEND),
// RFC 7162 CONDSTORE (HIGHESTMODSEQ, CHANGEDSINCE), RFC 4315 UIDPLUS
// (APPENDUID in the restore journal), RFC 6154 SPECIAL-USE (attributes kept
// in the state file), RFC 9208 QUOTA (check).
//
// Notable decisions:
//   - Messages deleted on the server stay unless pruning is asked for. In
//     the mbox format pruning only drops the manifest entry: the mbox is
//     never rewritten.
//   - A mailbox whose STATUS (MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN and,
//     with CONDSTORE, HIGHESTMODSEQ) is unchanged is not selected at all,
//     nor is one that STATUS says is empty (its state is written from
//     STATUS). With LIST-STATUS (RFC 5819) the STATUS items come with the
//     LIST command.
//   - STATUS commands are pipelined, but only one FETCH is in flight per
//     connection: untagged FETCH responses carry no tag, and servers may
//     run several UID FETCH commands at once (Dovecot does), so pipelined
//     FETCHes could not be told apart. Parallelism comes from --jobs
//     connections instead.
//   - A message that fails (a size that differs from RFC822.SIZE, a policy
//     that cannot write it) is recorded as failed and retried on every run.
//   - verify matches messages by UID; when UIDVALIDITY differs (a restored
//     copy) it matches them by SHA-256. Messages deleted on the server since
//     the backup count as differences ("extra").
//   - Without CONDSTORE (RFC 7162) flag changes are picked up when a
//     mailbox is selected anyway (new mail, changed MESSAGES or UNSEEN).
//   - RFC 3501 §7.4.2 leaves the order of FETCH items to the server: UID,
//     FLAGS, INTERNALDATE and RFC822.SIZE sent after the body are read
//     before the message file is named, dated and recorded (the output
//     package's Message.Complete); FLAGS in a later FETCH response amend a
//     message waiting for its group commit, or are recorded as a flag
//     change once it is committed. A message whose UID never comes is
//     not stored and is reported by sequence number; it cannot be recorded
//     as failed without a UID, so the mailbox's last UID is not advanced
//     and the next run asks again for every UID not stored.
package backup
