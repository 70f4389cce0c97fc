// Package imap is an IMAP4rev1 client (RFC 3501) with the command set of
// Python's imaplib.IMAP4, streaming message bodies and pipelining
// commands. It knows nothing of command lines, configuration or files.
//
// # Use
//
//	c, err := imap.Dial(ctx, "imap.example.org:993", imap.Options{})
//	err = c.Login(ctx, user, password)
//	mb, err := c.Select(ctx, "INBOX", &imap.SelectOptions{ReadOnly: true})
//	err = c.Fetch(ctx, imap.AllUID(), &imap.FetchOptions{UID: true, RFC822Size: true,
//		BodySections: []imap.BodySection{{Peek: true}}}, func(m *imap.FetchMessage) error {
//		body, err := m.NextBody() // an io.Reader limited to the literal
//		...
//	})
//	err = c.Logout(ctx)
//
// Every method takes a context first. Methods may be called from several
// goroutines: each call sends its command as soon as RFC 3501 §5.5 allows
// and waits for its own tagged completion, so concurrent calls are
// pipelined on one connection where their answers can be told apart (see
// Divergences for when a command waits). One reader goroutine reads all
// responses, routes tagged completions by tag and untagged data to the
// one pending command that asked for its kind (STATUS by mailbox name;
// ESEARCH by its TAG correlator), and keeps the selected mailbox's state
// (Mailbox) current from EXISTS, EXPUNGE, RECENT, FLAGS, VANISHED and
// response codes. Untagged responses no command asked for go to
// Options.OnUntagged and are kept for Response (imaplib's response() and
// untagged_responses).
//
// # Errors
//
// A server's NO or BAD is an *Error (imaplib's IMAP4.error) carrying the
// response code and text; the connection stays usable. A broken
// connection, timeout, BYE, malformed response or cancelled context is an
// *AbortError (IMAP4.abort) and ends the connection. A change to a mailbox
// selected read-only is a *ReadOnlyError (IMAP4.readonly). A command the
// server cannot or may not take (LOGINDISABLED, no STARTTLS, no UIDPLUS, a
// message above APPENDLIMIT) is refused locally with a *CapabilityError,
// and a value that cannot be encoded (NUL in a string) with an
// *imapwire.EncodeError; neither sends anything. A whole-message body whose
// literal size differs from the server's RFC822.SIZE gives a
// *SizeMismatchError; a body section the server sent as NIL reads as a
// *NilSectionError, never as an empty body. A tagged completion with a tag
// never sent is an *AbortError wrapping *UnknownTagError. A STATUS that
// completes without a STATUS response naming its mailbox gives a
// *MissingDataError. A caller's mailbox name that is not valid UTF-8 is
// refused with a *MailboxEncodeError before anything is sent.
//
// # Implemented
//
//   - RFC 3501 IMAP4rev1: every command; the response grammar of §9 in
//     package imapwire; modified UTF-7 mailbox names (§5.1.3).
//   - RFC 9051 IMAP4rev2 servers (LITERAL-, UIDPLUS, MOVE, ESEARCH, UNSELECT,
//     IDLE and LIST-STATUS are taken as present when IMAP4rev2 is
//     advertised; ENABLE IMAP4rev2 switches names to UTF-8).
//   - RFC 7888 LITERAL+ / LITERAL-, RFC 3516 BINARY fetch and literal8.
//   - RFC 4959 SASL-IR; RFC 4616 PLAIN; LOGIN (draft-murchison-sasl-login);
//     RFC 2195 CRAM-MD5; XOAUTH2; RFC 7628 OAUTHBEARER.
//   - RFC 2177 IDLE, RFC 2342 NAMESPACE, RFC 2971 ID, RFC 3691 UNSELECT,
//     RFC 4315 UIDPLUS, RFC 4314 ACL, RFC 4731 ESEARCH, RFC 4978
//     COMPRESS=DEFLATE, RFC 5161 ENABLE, RFC 5256 SORT and THREAD, RFC 5258
//     LIST selection options, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE,
//     RFC 6851 MOVE, RFC 6855 UTF8=ACCEPT (incl. APPEND UTF8), RFC 7162
//     CONDSTORE and QRESYNC (SELECT QRESYNC, FETCH CHANGEDSINCE VANISHED,
//     VANISHED responses), RFC 7889 APPENDLIMIT, RFC 8314 implicit TLS,
//     RFC 9208 QUOTA, draft-daboo-imap-annotatemore (GETANNOTATION,
//     SETANNOTATION), RFC 1730 PARTIAL and Cyrus PROXYAUTH as imaplib has
//     them.
//
// # Divergences
//
// Deliberate differences from imaplib and the RFCs:
//
//   - Results are typed values, not imaplib's (typ, [data]) lists. The raw
//     responses stay reachable through Response, CommandResult and
//     FetchMessage.Other.
//   - Mailbox names are UTF-8 for the caller and modified UTF-7 on the wire
//     (imaplib leaves encoding to the caller). A name the server sends that
//     is not valid modified UTF-7 is passed through as sent, with
//     ListMailbox.BadName set. "INBOX" is never encoded.
//   - Untagged FETCH responses that answer a command are handed to that
//     command and not kept for Response, so fetching a mailbox does not
//     grow memory; neither are the SEARCH, ESEARCH, SORT and THREAD results
//     a command returns. At most 1000 responses are kept per name, and at
//     most 256 names.
//   - The selected mailbox's state holds counts and codes, not per-message
//     flags: FETCH flag updates from other clients are delivered to
//     Options.OnUntagged and Response("FETCH"), not cached.
//   - Untagged responses carry no tag, and servers may run pipelined
//     commands in parallel and interleave their answers (Dovecot does with
//     FETCH). So the client serialises, before sending (a waiting command
//     has no tag yet and has sent nothing; cancelling its context returns
//     ctx.Err() and keeps the connection), every command whose answers
//     could not be told apart (RFC 3501 §5.5):
//     two commands collecting the same kind of untagged response never run
//     at once: FETCH, UID FETCH, STORE (with .SILENT too: RFC 7162 servers
//     still send FETCH MODSEQ) and PARTIAL; SEARCH (unless it uses RETURN,
//     answered by a tagged ESEARCH, RFC 4731), SORT, THREAD; LIST, LSUB;
//     EXPUNGE and UID EXPUNGE; GETACL, MYRIGHTS, GETQUOTA, GETQUOTAROOT,
//     SETQUOTA, GETANNOTATION, SETANNOTATION, NAMESPACE, ID, CAPABILITY;
//     MOVE (its untagged OK [COPYUID]); a generic Command collecting its
//     own name. STATUS commands wait only for a STATUS of the same mailbox
//     (or a LIST RETURN (STATUS)). SELECT, EXAMINE, CLOSE, UNSELECT, LOGIN,
//     AUTHENTICATE, STARTTLS, COMPRESS, ENABLE and IDLE run alone. A
//     command with sequence numbers (FETCH, STORE, SEARCH, COPY, MOVE,
//     SORT, THREAD without UID) waits while any command but FETCH, STORE or
//     SEARCH is pending, as it may renumber messages with EXPUNGE (RFC 3501
//     §7.4.1); EXPUNGE, UID EXPUNGE and MOVE never run with a command that
//     reads or changes messages. NOOP, CHECK, APPEND, CREATE, DELETE,
//     RENAME, (UN)SUBSCRIBE, SETACL, DELETEACL, LOGOUT and STATUS pipeline
//     freely otherwise. Concurrent Fetch calls therefore run one after
//     another; one Fetch of a whole set is still one pipelined stream.
//     Within that, a FETCH outside a sequence-number FETCH's set, or
//     without UID during a UID FETCH, is treated as unilateral.
//   - Untagged data is matched by what it names, never by position: a
//     STATUS reply only answers the STATUS of the mailbox it names
//     (compared in its modified UTF-7 form decoded; INBOX in any case),
//     otherwise it is unilateral; a FETCH body section the command did
//     not ask for (BODY[HEADER] for BODY.PEEK[]; BODY.PEEK[x] is answered
//     as BODY[x], RFC 3501 §6.4.5) is skipped and named in
//     FetchMessage.Unrequested, not handed out by NextBody.
//   - A tagged completion whose tag names no command in flight
//     (RFC 3501 §2.2.2) aborts the connection: the client cannot know
//     which command the server meant, and waiting would only end in a
//     timeout. imaplib likewise raises IMAP4.abort("unexpected tagged
//     response") for a tag of its prefix it did not send.
//   - Body sections are streamed, never held whole. A FETCH callback runs
//     on the reader goroutine and must not call the client; when it
//     returns an error, the rest of the FETCH is read and discarded (the
//     connection stays usable) and Fetch returns that error.
//   - Cancelling a context while its command is in flight aborts the
//     connection: IMAP cannot cancel a command.
//   - Options.Timeout is an inactivity timeout while a response is owed,
//     not a deadline: a long download that keeps flowing is not cut, and
//     an idle connection (or IDLE) never times out.
//   - As in imaplib, SELECT of a mailbox the server opens read-only returns
//     the mailbox together with a *ReadOnlyError; STORE, EXPUNGE and MOVE
//     on a read-only mailbox are refused locally.
//   - Move without the MOVE extension first resolves a set of sequence
//     numbers, or of UIDs with "*", to explicit UIDs (one FETCH (UID): an
//     EXPUNGE or a new message during the COPY can then not change what
//     is deleted), copies them with UID COPY, sets \Deleted and removes
//     exactly the moved UIDs (those of COPYUID when the server sends it)
//     with UID EXPUNGE (UIDPLUS). Without UIDPLUS it uses EXPUNGE only when
//     no other message is marked \Deleted, and refuses otherwise, because
//     EXPUNGE would remove those too. A long set moves part by part (see
//     below), each part copied, marked and expunged before the next.
//   - A message set longer than about 8 KB (RFC 7162 §4 asks clients to
//     keep a command line to about 8192 octets; Dovecot refuses a line
//     past its imap_max_line_length with BAD) is sent as several FETCH,
//     STORE, COPY or UID EXPUNGE commands, one after another. If one
//     fails, those before it stay done and the error says so.
//   - SEARCH strings with 8-bit characters make the command use CHARSET
//     UTF-8 (omitted after ENABLE UTF8=ACCEPT, RFC 6855 §3); SORT and THREAD
//     always name UTF-8. SEARCH dates use the internal date's day, as the
//     RFC says; times of day are ignored.
//   - Decoding is tolerant where real servers are sloppy: a lone LF ends a
//     line, system flags and mailbox attributes in any case are returned in
//     their RFC spelling, several spaces count as one, continuation requests
//     without a space are accepted, and lists may be adjacent without a
//     space. Response lines are bounded (Options.MaxLineLength, 1 MiB by
//     default, 32 MiB for SEARCH, SORT, ESEARCH and THREAD results, which
//     grow with the mailbox); literals read into memory (not bodies) are
//     bounded at 16 MiB per line; a line holds at most 2^20 list elements
//     and lists nest at most 100 deep (RFC 3501 §9 sets no bound; deeper
//     or bigger data is a malformed response, an *AbortError).
//   - A string is sent as an atom, quoted string or literal chosen from its
//     content; strings longer than 1024 bytes go as literals. CR and LF
//     only ever travel inside literals; NUL is refused.
//   - The ENVELOPE's strings are returned as sent (RFC 2047 encoded-words
//     are not decoded) and INTERNALDATE is a time.Time in the server's zone.
//   - Debug traces show literal data as its size and LOGIN/AUTHENTICATE
//     secrets as "***" (imaplib prints them).
package imap
