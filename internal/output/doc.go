// Package output stores messages where a user asked for them — standard
// output, a folder of .eml files, a Maildir, an mbox file — and reads those
// formats back.
//
// Writing goes through a [Sink]. A caller hands [Sink.Put] the message's
// metadata and a function that streams the message bytes into an
// [io.Writer]; bodies are never held in memory. Every file sink commits
// atomically: a message either is stored completely and durably, or nothing
// of it remains on disk (a temp file in the target folder, byte count
// checked, fsync, rename, fsync of the folder; mbox: append under a lock,
// truncate back on failure, fsync). Files are created lazily on the first
// byte, so a command that fails before any data arrives creates nothing.
//
// With group commit ([Options.GroupCommit]) Put writes but does not make a
// message durable; [Sink.Flush] makes the whole batch durable with far
// fewer fsyncs and only then reports it committed.
//
// Metadata may arrive late: RFC 3501 section 7.4.2 lets a server send
// UID, FLAGS and INTERNALDATE after the message body, or FLAGS in a later
// FETCH response. The bytes go to a temp file first; a file's name, info
// letters and modification time are decided when the message is completed
// ([Message.Complete], run after the body) and may still change while it
// waits for its group commit ([Sink.Amend]). An mbox "From " line comes
// before the body: without an INTERNALDATE at that point it is dated by
// the message's Date header field, else by the current time.
//
// Reading goes through a [Source] from [Open], which detects whether a path
// is a single message file, an mbox, a Maildir or a folder of .eml files.
//
// Formats implemented:
//   - Maildir as specified at https://cr.yp.to/proto/maildir.html, with the
//     info ":2,<flags>" of the same page and the ",S=<size>" field used by
//     Dovecot and others.
//   - mboxrd as described by the Library of Congress format description
//     fdd000385 and qmail's mbox(5): a "From <sender> <asctime date>" line,
//     every line matching ^>*From quoted with one more '>', and a blank line
//     after every message (byte for byte what Python 3.11's mailbox.mbox
//     writes, except that Python quotes only ^From ). The reader also
//     un-quotes mboxo (only ^>From ), and reads flags from the Status and
//     X-Status header fields as Python's mailbox.mboxMessage and mutt keep
//     them. The writer does not add those fields: message bytes are stored
//     as given, so flags are not kept in an mbox.
//
// Notable divergences and decisions:
//   - A message that does not end in a newline gets one in an mbox (mbox has
//     no way to store it otherwise); [Stored.NewlineAdded] reports it.
//   - Maildir has letters only for the six system flags; other keywords are
//     not stored in the file name and are listed in [Stored.DroppedFlags].
//     Messages with at least one letter go to cur/, others to new/.
//   - Maildir names carry ",U=<uid>" (as isync/mbsync does) when the UID is
//     known, so that a crashed run can find what it already stored.
//   - Maildir and .eml files get the message's INTERNALDATE as their
//     modification time, which Dovecot also uses as the received date.
//   - An mbox is locked with flock(2) only; dot-locking and fcntl locks are
//     not used.
package output
