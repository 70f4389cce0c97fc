package cmd

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"slices"
	"strconv"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/spf13/cobra"
)

// FetchOptions are the inputs of the fetch command.
type FetchOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	Policy  func(defaultSpec string) (*policy.Policy, error)
	// Settings gives the account (host and user) a Maildir records as
	// its origin.
	Settings func() (*Settings, error)
	JSON     bool
	Quiet    bool

	Mailbox string
	// Set is the messages to fetch (UIDs unless Seq); all when empty.
	Set imap.NumSet
	// SetGiven is true when SET was on the command line.
	SetGiven bool
	Seq      bool
	// Search, when set, selects the messages with SEARCH first.
	Search *imap.SearchCriteria

	Out    string
	Format string // eml, maildir or mbox (with Out)
	Name   output.NameTemplate

	Headers  bool
	Part     *imap.BodySection
	Decode   bool
	Items    *imap.FetchOptions
	MarkSeen bool
}

// NewFetchCmd returns the fetch command (RFC 3501 §6.4.5).
func NewFetchCmd(f *Factory, runF func(*FetchOptions) error) *cobra.Command {
	opts := &FetchOptions{IO: f.IOStreams, Client: f.Client, Policy: f.Policy, Settings: f.Settings}
	var setArg, searchArg, nameArg, partArg, itemsArg string
	cmd := &cobra.Command{
		Use:   "fetch MAILBOX [SET]",
		Short: "Fetch messages to stdout, eml files, a Maildir or an mbox",
		Long: `Fetch the messages of SET (UIDs, e.g. 4,7:9 or 100:*; all when omitted) from
MAILBOX with BODY.PEEK[], which never sets \Seen (unless --mark-seen).

To stdout, a single message is written as it is and several as an mboxrd
stream. With --out PATH:
  --format eml      PATH/<UID>.eml for each message (--name sets the name)
  --format maildir  PATH becomes a Maildir (cur/ new/ tmp/); the file names
                    carry the message's flags
  --format mbox     messages are appended to the mboxrd file PATH
A Maildir records the mailbox its messages came from (PATH/.imapctl-origin):
a later fetch of the same mailbox (account, name and UIDVALIDITY) into it
leaves out the messages already there, and once a run stored all the
mailbox had (up to its UIDNEXT) also those a mail reader has since deleted,
so that cron can repeat the command and an interrupted run resumes where it
stopped (a second fetch into a Maildir while one runs stops with exit 1
before it stores anything). Messages of another mailbox, --headers or --part
end the record (with a warning when it named another mailbox); from then on
every fetch stores all it is asked for, as into an eml folder or an mbox.
Every file is committed atomically: an error or Ctrl-C leaves no partial
message, and files already written are not touched. File names, Maildir
flags and modification times are decided after the whole FETCH response
was read, so servers that send UID, FLAGS or INTERNALDATE after the body
are stored alike; an mbox "From " line, written before the body, is then
dated by the message's Date header. A message whose UID never comes is
not stored and counts as failed (exit 6), as does one sent as BODY[] NIL
or empty while its RFC822.SIZE is not 0. A message the server sends that
was not asked for is ignored; one sent twice is stored once (the first
copy, with a warning).

Messages are written under --policy (default raw: the server's bytes with
LF line endings; raw,linesep=\r\n keeps them byte for byte).
--headers fetches only the header, --part SECTION one MIME part
(BODY[SECTION], e.g. 2 or 1.2 or 1.MIME; --decode undoes base64 or
quoted-printable), and --items 'FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
BODYSTRUCTURE' prints those items as NDJSON instead of messages.`,
		Args: rangeArgs(1, 2, "a MAILBOX and an optional SET"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Quiet = f.Global.Quiet
			opts.Mailbox = args[0]
			if len(args) == 2 {
				setArg = args[1]
			}
			if err := opts.parse(c, setArg, searchArg, nameArg, partArg, itemsArg); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return fetchRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Seq, "seq", false, "SET holds sequence numbers, not UIDs")
	fl.StringVar(&searchArg, "search", "", "fetch the messages matching these SEARCH keys, e.g. 'FROM alice UNSEEN'")
	fl.StringVarP(&opts.Out, "out", "o", "", "write files at PATH instead of stdout")
	fl.StringVar(&opts.Format, "format", "eml", "file format with --out: eml, maildir or mbox")
	fl.StringVar(&nameArg, "name", "", "eml file name template: {uid} {uidvalidity} {mailbox} {date} {time} {n} {messageid} (default {uid})")
	fl.BoolVar(&opts.Headers, "headers", false, "fetch only the header (BODY.PEEK[HEADER])")
	fl.StringVar(&partArg, "part", "", "fetch one body section, e.g. 1.2, 2.MIME, TEXT")
	fl.BoolVar(&opts.Decode, "decode", false, "with --part: decode base64 or quoted-printable")
	fl.StringVar(&itemsArg, "items", "", "print these FETCH items as NDJSON, e.g. 'FLAGS ENVELOPE BODYSTRUCTURE'")
	fl.BoolVar(&opts.MarkSeen, "mark-seen", false, "let the server set \\Seen (SELECT and BODY[] instead of BODY.PEEK[])")
	return cmd
}

// parse validates the flags before anything connects.
func (opts *FetchOptions) parse(c *cobra.Command, setArg, searchArg, nameArg, partArg, itemsArg string) error {
	var err error
	if setArg != "" {
		opts.SetGiven = true
		if opts.Seq {
			opts.Set, err = imap.ParseSeqSet(setArg)
		} else {
			opts.Set, err = imap.ParseUIDSet(setArg)
		}
		if err != nil {
			return &UsageError{err}
		}
	} else if opts.Seq {
		opts.Set = imap.AllSeq()
	} else {
		opts.Set = imap.AllUID()
	}
	if searchArg != "" {
		tokens, err := splitCriteria(searchArg)
		if err != nil {
			return err
		}
		if opts.Search, err = parseSearchKeys(tokens); err != nil {
			return err
		}
	}
	if opts.Out != "" {
		switch opts.Format {
		case "eml", "maildir", "mbox":
		default:
			return usageErrorf("--format %q: want eml, maildir or mbox", opts.Format)
		}
	} else if c.Flags().Changed("format") {
		return usageErrorf("--format needs --out PATH")
	}
	if nameArg != "" {
		if opts.Out == "" || opts.Format != "eml" {
			return usageErrorf("--name needs --out PATH --format eml")
		}
		if opts.Name, err = output.ParseNameTemplate(nameArg); err != nil {
			return &UsageError{err}
		}
	}
	if partArg != "" {
		if opts.Headers {
			return usageErrorf("--part and --headers cannot be combined")
		}
		section, err := parseSection(partArg)
		if err != nil {
			return err
		}
		opts.Part = &section
	}
	if opts.Decode && opts.Part == nil {
		return usageErrorf("--decode needs --part SECTION")
	}
	if itemsArg != "" {
		if opts.Items, err = parseFetchItems(itemsArg); err != nil {
			return err
		}
		if opts.Out != "" || opts.Part != nil || opts.Headers {
			return usageErrorf("--items prints metadata only: it cannot be combined with --out, --part or --headers")
		}
	}
	return nil
}

// parseSection reads a body section (RFC 3501 §6.4.5): part numbers
// joined by dots, optionally followed by HEADER, TEXT, MIME or
// HEADER.FIELDS[.NOT] (A B ...).
func parseSection(s string) (imap.BodySection, error) {
	var sec imap.BodySection
	rest := strings.TrimSpace(s)
	for rest != "" {
		head, tail, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(head)
		if err != nil {
			break
		}
		if n <= 0 {
			return sec, usageErrorf("--part %q: part numbers start at 1", s)
		}
		sec.Part = append(sec.Part, n)
		rest = tail
	}
	spec, fields, hasFields := strings.Cut(rest, " ")
	sec.Specifier = strings.ToUpper(spec)
	switch sec.Specifier {
	case "", "HEADER", "TEXT":
	case "MIME":
		if len(sec.Part) == 0 {
			return sec, usageErrorf("--part %q: MIME needs a part number (e.g. 1.MIME)", s)
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		fields = strings.TrimSpace(fields)
		if !hasFields || !strings.HasPrefix(fields, "(") || !strings.HasSuffix(fields, ")") {
			return sec, usageErrorf("--part %q: want %s (FIELD ...)", s, sec.Specifier)
		}
		sec.Fields = strings.Fields(fields[1 : len(fields)-1])
		if len(sec.Fields) == 0 {
			return sec, usageErrorf("--part %q: no header fields", s)
		}
	default:
		return sec, usageErrorf("--part %q: want part numbers like 1.2, optionally with .HEADER, .TEXT, .MIME or .HEADER.FIELDS (...)", s)
	}
	if hasFields && !strings.HasPrefix(sec.Specifier, "HEADER.FIELDS") {
		return sec, usageErrorf("--part %q: unexpected %q", s, fields)
	}
	return sec, nil
}

// parseFetchItems reads the --items list of FETCH data items.
func parseFetchItems(s string) (*imap.FetchOptions, error) {
	o := &imap.FetchOptions{UID: true}
	for _, item := range strings.Fields(strings.Trim(s, "()")) {
		switch strings.ToUpper(item) {
		case "UID":
		case "FLAGS":
			o.Flags = true
		case "INTERNALDATE":
			o.InternalDate = true
		case "RFC822.SIZE":
			o.RFC822Size = true
		case "ENVELOPE":
			o.Envelope = true
		case "BODYSTRUCTURE", "BODY":
			o.BodyStructure = true
		case "MODSEQ":
			o.ModSeq = true
		case "FAST": // RFC 3501 §6.4.5 macros
			o.Flags, o.InternalDate, o.RFC822Size = true, true, true
		case "ALL":
			o.Flags, o.InternalDate, o.RFC822Size, o.Envelope = true, true, true, true
		case "FULL":
			o.Flags, o.InternalDate, o.RFC822Size, o.Envelope, o.BodyStructure = true, true, true, true, true
		default:
			return nil, usageErrorf("--items: unknown item %q (want FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, MODSEQ, UID, FAST, ALL or FULL)", item)
		}
	}
	return o, nil
}

// fetchRun fetches the messages and hands each to the sink.
func fetchRun(opts *FetchOptions) error {
	var pol *policy.Policy
	if opts.Items == nil && opts.Part == nil {
		var err error
		if pol, err = opts.Policy("raw"); err != nil {
			return err
		}
	}
	ctx := opts.Context
	var lock *output.MaildirLock
	if opts.Out != "" && opts.Format == "maildir" {
		// Before connecting: a second run into the same Maildir stops
		// without a word to the server. A Maildir that does not exist
		// yet is locked when the sink creates it.
		var err error
		if lock, err = output.LockMaildir(opts.Out); err != nil {
			return lockedHint(err)
		}
		defer lock.Unlock()
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	mb, err := c.Select(ctx, opts.Mailbox, &imap.SelectOptions{ReadOnly: !opts.MarkSeen})
	if err != nil {
		return err
	}
	set := opts.Set
	if opts.Search != nil {
		criteria := *opts.Search
		if opts.SetGiven {
			restrict := opts.Set
			criteria = imap.SearchCriteria{}
			if restrict.UID {
				criteria.UID = &restrict
			} else {
				criteria.SeqNum = &restrict
			}
			and(&criteria, *opts.Search)
		}
		res, err := c.Search(ctx, &criteria, &imap.SearchOptions{UID: !opts.Seq})
		if err != nil {
			return err
		}
		if len(res.All) == 0 {
			return nil
		}
		set = compactSet(res.All, !opts.Seq)
	} else if mb.Exists == 0 && !opts.SetGiven {
		return nil
	}
	if opts.Items != nil {
		return fetchItems(ctx, c, set, opts)
	}
	var resume maildirResume
	if opts.Out != "" && opts.Format == "maildir" {
		if resume, err = opts.planResume(mb); err != nil {
			return err
		}
		resume.lock = lock
	}
	if err := fetchMessages(ctx, c, mb, set, pol, resume, opts); err != nil {
		return lockedHint(err)
	}
	if opts.Search != nil {
		return nil // a search's UIDs say nothing of the others
	}
	return resume.advanceTo(opts.Out, set, mb.UIDNext)
}

// lockedHint adds a hint to the error of a Maildir another fetch holds.
func lockedHint(err error) error {
	var locked *output.LockedError
	if errors.As(err, &locked) {
		return withHint(err, "another imapctl fetch into it is running; wait for it to end")
	}
	return err
}

// planResume reads the Maildir at opts.Out and decides which of its
// messages are left out of the fetch (see maildirResume).
func (opts *FetchOptions) planResume(mb *imap.Mailbox) (maildirResume, error) {
	s, err := opts.Settings()
	if err != nil {
		return maildirResume{}, err
	}
	state, err := output.ReadMaildirState(opts.Out)
	if err != nil {
		return maildirResume{}, err
	}
	origin := output.MaildirOrigin{Host: s.Host, User: s.User, Mailbox: opts.Mailbox, UIDValidity: mb.UIDValidity}
	plan := planMaildirResume(state, origin, opts.Part == nil && !opts.Headers)
	if o := plan.otherOrigin; o != nil {
		opts.IO.Warnf("%s holds messages of %s of %s@%s (UIDVALIDITY %d), not of %s (UIDVALIDITY %d): all are fetched, and later runs cannot tell which are already there",
			opts.Out, o.Mailbox, o.User, o.Host, o.UIDValidity, origin.Mailbox, origin.UIDValidity)
	}
	if plan.damaged {
		opts.IO.Warnf("%s: cannot read %s (the record of where its messages came from): all are fetched, and later runs cannot tell which are already there",
			opts.Out, output.MaildirOriginFile)
	}
	return plan, nil
}

// fetchMessages streams full messages (or a header or part) into a sink.
func fetchMessages(ctx context.Context, c *imap.Client, mb *imap.Mailbox, set imap.NumSet, pol *policy.Policy, resume maildirResume, opts *FetchOptions) error {
	// The numbers asked for (none when the set has "*": then any message
	// the server sends is in it, RFC 3501 §6.4.8), less those already in
	// the Maildir.
	finite := finiteSet(set)
	requested := &output.NumberSet{}
	if finite {
		requested = newNumRuns(set)
	}
	present := resume.present
	if present != nil && set.UID {
		requested = requested.Without(present)
		var ok bool
		if set, ok = subtractSet(set, present, mb.UIDNext, maxResumeRanges); !ok {
			return nil // all of them are there
		}
	}
	section := imap.BodySection{Peek: !opts.MarkSeen}
	switch {
	case opts.Part != nil:
		section = *opts.Part
		section.Peek = !opts.MarkSeen
	case opts.Headers:
		section.Specifier = "HEADER"
	}
	var encodings partEncodingMap
	if opts.Decode {
		var err error
		var binary bool
		if encodings, binary, err = partEncodings(ctx, c, set, section.Part); err != nil {
			return err
		}
		// Like age, do not pour decoded binary data onto a terminal.
		if binary && opts.Out == "" && opts.IO.IsStdoutTTY {
			return withHint(usageErrorf("refusing to write a decoded non-text part to the terminal"),
				"redirect stdout to a file, e.g. > part.bin")
		}
	}

	// One message to stdout is written as it is only when the command line
	// named one message; a search may find one or many, so it gets mboxrd.
	single := opts.SetGiven && opts.Search == nil && finite && requested.Len() == 1
	sink, err := openSink(opts, single, resume)
	if err != nil {
		return err
	}
	total := int(mb.Exists)
	if present != nil {
		total = max(0, total-present.Len())
	}
	if finite {
		total = requested.Len()
	}
	// Progress goes to stderr when it is a terminal, unless the messages
	// themselves go to that same terminal.
	showProgress := opts.IO.IsStderrTTY && !opts.Quiet && (opts.Out != "" || !opts.IO.IsStdoutTTY)
	progress := newProgressMeter(opts.IO.ErrOut, showProgress, total)
	exactSize := pol != nil && pol.IsRaw() && pol.Linesep == "\r\n" && section.Specifier == "" && len(section.Part) == 0

	// seen holds the numbers of the messages that came, as runs: flat in
	// the size of the mailbox.
	seen := &output.NumberSet{}
	failures := &batchFailures{io: opts.IO, quiet: opts.Quiet}
	// Files are committed in groups (a few fsyncs per group, not two per
	// message), and at least every flushEvery messages, so that a long
	// run that dies keeps what it committed. --json lists committed files.
	//
	// RFC 3501 §7.4.2 lets a server send UID, FLAGS and INTERNALDATE after
	// the body, and FLAGS again in a later FETCH response of the same
	// message: each message's metadata is completed after its body
	// (output.Message.Complete), and a later FLAGS response amends it while
	// it waits for its group commit (Sink.Amend). A group is committed
	// when the next message's body begins, or when the command ended, so
	// that such responses between two bodies still count.
	//
	// A Maildir or .eml group is committed on a goroutine while the next
	// group is fetched (fetchCommitter); from the moment its commit starts
	// it is no longer pending: a late FLAGS or INTERNALDATE response for
	// one of its messages is ignored, as it is after the commit ended. Its
	// --json lines are written here, once its commit ended, in commit
	// order. After a commit error nothing more is committed.
	pending := map[uint32]*pendingFetch{} // by sequence number
	var order []*pendingFetch
	noUID := 0
	commits := newFetchCommitter(sink, func(stored []output.Stored, uidOf map[string]uint32) error {
		for _, st := range stored {
			if opts.JSON && st.Committed {
				line := storedFile{UID: uidOf[storedKey(st)], Path: st.Path, Size: st.Size}
				if opts.Format == "mbox" {
					line.Offset, line.End = &st.Offset, &st.End
				}
				if err := writeJSONLine(opts.IO.Out, line); err != nil {
					return err
				}
			}
		}
		return nil
	})
	// takeGroup ends the pending group and returns the UIDs of its
	// messages by storedKey.
	takeGroup := func() map[string]uint32 {
		uidOf := make(map[string]uint32, len(order))
		for _, p := range order {
			uidOf[storedKey(p.stored)] = p.uid
		}
		clear(pending)
		order = order[:0]
		return uidOf
	}
	// amend applies flags or a date that came in a FETCH response of their
	// own to a message still waiting for its commit.
	amend := func(m *imap.FetchMessage) {
		p := pending[m.SeqNum]
		if p == nil || (m.UID != 0 && m.UID != p.uid) || (m.Flags == nil && m.InternalDate.IsZero()) {
			return
		}
		p.stored, _ = sink.Amend(p.stored, output.Message{Flags: m.Flags, InternalDate: m.InternalDate})
	}
	// idOf is the number of m in the set's terms (0 while the UID of a UID
	// FETCH has not come yet).
	idOf := func(m *imap.FetchMessage) uint32 {
		if set.UID {
			return m.UID
		}
		return m.SeqNum
	}
	// markSeen notes that a requested message came (when it is known which).
	markSeen := func(m *imap.FetchMessage) {
		if id := idOf(m); id != 0 {
			seen.Add(id)
		}
	}
	// skipped says why a message the server sent is not stored: one that
	// was not asked for (unsolicited, RFC 3501 §7.4.2 lets a server send
	// FETCH data at any time), or one that already came in this response
	// (a server may send the data of a message more than once; the first
	// copy is kept). Nil when it is to be stored.
	skipped := func(m *imap.FetchMessage) *SkippedMessageError {
		id := idOf(m)
		switch {
		case present != nil && m.UID != 0 && present.Contains(m.UID):
			return &SkippedMessageError{Name: messageName(m), Reason: "already in " + opts.Out, Present: true}
		case id == 0:
			return nil
		case finite && !requested.Contains(id):
			return &SkippedMessageError{Name: messageName(m), Reason: "not asked for", Unsolicited: true}
		case seen.Contains(id):
			return &SkippedMessageError{Name: messageName(m), Reason: "sent again in the same response; the first copy is kept"}
		}
		return nil
	}
	fetchOpts := &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, BodySections: []imap.BodySection{section}}
	c.Response("FETCH") // unilateral flag updates from before: not about these messages
	err = c.Fetch(ctx, set, fetchOpts, func(m *imap.FetchMessage) error {
		body, err := m.NextBody()
		if err != nil {
			return err
		}
		if body == nil {
			amend(m) // a FETCH response without the body: late flags
			return nil
		}
		if skip := skipped(m); skip != nil {
			skip.warn(opts)
			if skip.Present {
				markSeen(m)
			}
			return nil // the body is skipped when the next response is read
		}
		if body.Size < 0 { // BODY[] NIL: nothing to store
			markSeen(m)
			failures.add(messageName(m), &MissingBodyError{Section: body.Name, Nil: true, RFC822Size: m.RFC822Size})
			return nil
		}
		if len(order) >= flushEvery {
			if err := commits.start(takeGroup()); err != nil {
				return err
			}
		}
		counted := &countingReader{r: body}
		meta := output.Message{UID: m.UID, UIDValidity: mb.UIDValidity, Mailbox: opts.Mailbox, Flags: m.Flags, InternalDate: m.InternalDate}
		// The rest of the response (UID, FLAGS, INTERNALDATE after the
		// body) is read once the body is written, before the file is named.
		meta.Complete = func(meta *output.Message) error {
			if err := m.Finish(); err != nil {
				return err
			}
			if set.UID && m.UID == 0 {
				return &MissingUIDError{SeqNum: m.SeqNum}
			}
			if skip := skipped(m); skip != nil { // its UID came after the body
				return skip
			}
			if body.IsWholeMessage() && counted.n == 0 && m.RFC822Size > 0 {
				return &MissingBodyError{Section: body.Name, RFC822Size: m.RFC822Size}
			}
			meta.UID, meta.Flags, meta.InternalDate = m.UID, m.Flags, m.InternalDate
			return nil
		}
		if exactSize && body.Size >= 0 {
			meta.Size = body.Size
		}
		var src io.Reader = counted
		if opts.Decode {
			encoding, _ := encodings.of(m)
			if src, err = decodeReader(counted, encoding); err != nil {
				markSeen(m)
				failures.add(messageName(m), err)
				return nil
			}
		}
		stored, err := sink.Put(ctx, meta, func(w io.Writer) error {
			if pol == nil {
				_, err := io.Copy(w, src)
				return err
			}
			_, err := pol.Write(w, src)
			return err
		})
		var skip *SkippedMessageError
		if errors.As(err, &skip) {
			skip.warn(opts)
			if skip.Present {
				markSeen(m)
			}
			return nil
		}
		markSeen(m)
		if err != nil {
			var missing *MissingUIDError
			if errors.As(err, &missing) {
				noUID++
			}
			if isMessageFailure(err) && ctx.Err() == nil {
				failures.add(messageName(m), err)
				return nil
			}
			return err
		}
		progress.add(stored.Size)
		if opts.Out == "" {
			return nil
		}
		p := &pendingFetch{uid: m.UID, stored: stored}
		pending[m.SeqNum] = p
		order = append(order, p)
		return nil
	})
	// A flag update without UID during a UID FETCH is unilateral (RFC 3501
	// §7.4.2): the client keeps it; it may be a pending message's flags.
	for _, r := range c.Response("FETCH") {
		if r.Fetch != nil {
			amend(r.Fetch)
		}
	}
	progress.finish()
	closeErr := commits.finish(takeGroup())
	if err := sink.Close(); closeErr == nil {
		closeErr = err
	}
	if err != nil {
		var mismatch *imap.SizeMismatchError
		if !errors.As(err, &mismatch) {
			return err
		}
		// RFC822.SIZE arrived after the body: the message is written, but
		// the server's copy is inconsistent; report it as a failure.
		failures.add(fmt.Sprintf("UID %d", mismatch.UID), err)
	}
	if closeErr != nil {
		return closeErr
	}
	kind := "UID"
	if !set.UID {
		kind = "message"
	}
	// Numbers that never came are reported a range at a time: a set such
	// as 1:4294967295 makes one line, not one for each number.
	requested.Without(seen).EachRun(func(lo, hi uint32) {
		where, n := fmt.Sprintf("%s %d", kind, lo), int(hi-lo)+1
		if hi != lo {
			where = fmt.Sprintf("%ss %d:%d", kind, lo, hi)
		}
		if noUID > 0 {
			// It may be one of the messages that came without UID.
			failures.addN(where, errors.New("no message with this UID was received"), n)
		} else {
			failures.addN(where, fmt.Errorf("not in %s", opts.Mailbox), n)
		}
	})
	return failures.result(total)
}

// pendingFetch is a message put into the sink and waiting for its group
// commit.
type pendingFetch struct {
	uid    uint32
	stored output.Stored
}

// MissingUIDError reports a message of a UID FETCH response that never
// carried its UID, which RFC 3501 §6.4.8 requires: it cannot be named or
// matched to what was asked for, so it is not stored.
type MissingUIDError struct {
	SeqNum uint32
}

func (e *MissingUIDError) Error() string {
	return fmt.Sprintf("the server sent message %d without its UID (RFC 3501 §6.4.8); not stored", e.SeqNum)
}

// SkippedMessageError says why a message the server sent was not stored
// although nothing failed: it was not asked for, or it came a second time
// in the same response (RFC 3501 §7.4.2: FETCH data may be unsolicited
// and may repeat). It is a warning, not a failure.
type SkippedMessageError struct {
	Name   string // e.g. "UID 3"
	Reason string
	// Unsolicited is true for a message not asked for: ordinary server
	// behaviour, ignored without a warning (--debug shows it).
	Unsolicited bool
	// Present is true for a message already in the Maildir (see
	// maildirResume): left out without a warning.
	Present bool
}

// warn tells the user about a repeated message; an unsolicited one, or
// one already stored, is ignored silently.
func (e *SkippedMessageError) warn(opts *FetchOptions) {
	if !e.Unsolicited && !e.Present && !opts.Quiet {
		opts.IO.Warnf("%v", e)
	}
}

func (e *SkippedMessageError) Error() string {
	return fmt.Sprintf("%s: ignored, %s", e.Name, e.Reason)
}

// MissingBodyError reports a message whose body the server did not send:
// BODY[] NIL, or an empty BODY[] while RFC822.SIZE says the message has
// bytes (RFC 3501 §7.4.2). No file is written for it; it counts as failed.
type MissingBodyError struct {
	Section    string // the item as the server named it, e.g. "BODY[]"
	Nil        bool
	RFC822Size int64 // -1 when not sent
}

func (e *MissingBodyError) Error() string {
	if e.Nil {
		if e.RFC822Size >= 0 {
			return fmt.Sprintf("the server sent %s NIL for a message of RFC822.SIZE %d; not stored", e.Section, e.RFC822Size)
		}
		return fmt.Sprintf("the server sent %s NIL; not stored", e.Section)
	}
	return fmt.Sprintf("the server sent an empty %s for a message of RFC822.SIZE %d; not stored", e.Section, e.RFC822Size)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// messageName names a fetched message in a failure: by UID, or by
// sequence number when the server has not sent the UID.
func messageName(m *imap.FetchMessage) string {
	if m.UID != 0 {
		return fmt.Sprintf("UID %d", m.UID)
	}
	return fmt.Sprintf("message %d", m.SeqNum)
}

// flushEvery bounds how many fetched files wait for their group commit
// (a variable so that a test can make groups small).
var flushEvery = 256

// storedKey identifies a stored message: by path, and by offset in an mbox.
func storedKey(st output.Stored) string { return fmt.Sprintf("%s\x00%d", st.Path, st.Offset) }

// storedFile is one line of fetch --out --json: a committed file.
type storedFile struct {
	UID    uint32 `json:"uid"`
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Offset *int64 `json:"offset,omitempty"`
	End    *int64 `json:"end,omitempty"`
}

// isMessageFailure reports errors that spoil one message but not the run:
// a defect under a strict policy, a message Python could not write either,
// or a server serving a message inconsistently.
func isMessageFailure(err error) bool {
	var defect *policy.DefectError
	var generate *policy.GenerateError
	var fold *policy.HeaderFoldError
	var tooLong *policy.HeaderTooLongError
	var mismatch *imap.SizeMismatchError
	var outMismatch *output.SizeMismatchError
	var missing *MissingUIDError
	var noBody *MissingBodyError
	return errors.As(err, &noBody) || errors.As(err, &defect) || errors.As(err, &generate) || errors.As(err, &fold) ||
		errors.As(err, &tooLong) || errors.As(err, &mismatch) || errors.As(err, &outMismatch) ||
		errors.As(err, &missing)
}

// openSink returns where messages go.
func openSink(opts *FetchOptions, single bool, resume maildirResume) (output.Sink, error) {
	if opts.Out == "" {
		format := output.WriterMboxrd
		if single {
			format = output.WriterRaw
		}
		return output.NewWriterSink(opts.IO.Out, format), nil
	}
	fileOpts := output.Options{GroupCommit: true}
	switch opts.Format {
	case "maildir":
		sink := output.NewMaildirSink(opts.Out, fileOpts)
		sink.UseLock(resume.lock)
		if resume.change {
			sink.RecordOrigin(resume.origin)
		}
		return sink, nil
	case "mbox":
		return output.NewMboxSink(opts.Out, output.MboxOptions{Options: fileOpts}), nil
	}
	return output.NewEMLSink(opts.Out, opts.Name, fileOpts), nil
}

// partEncodings fetches BODYSTRUCTURE first so that --decode knows each
// message's Content-Transfer-Encoding of the part, and whether any of the
// parts is not text.
func partEncodings(ctx context.Context, c *imap.Client, set imap.NumSet, part []int) (partEncodingMap, bool, error) {
	encodings := partEncodingMap{byUID: map[uint32]string{}, bySeq: map[uint32]string{}}
	binary := false
	err := c.Fetch(ctx, set, &imap.FetchOptions{UID: true, BodyStructure: true}, func(m *imap.FetchMessage) error {
		if m.BodyStructure == nil {
			return nil
		}
		if p := partAt(m.BodyStructure, part); p != nil {
			encodings.byUID[m.UID] = strings.ToLower(p.Encoding)
			encodings.bySeq[m.SeqNum] = strings.ToLower(p.Encoding)
			binary = binary || (p.Type != "text" && p.Type != "message")
		}
		return nil
	})
	return encodings, binary, err
}

// partEncodingMap holds the Content-Transfer-Encoding of the part of each
// message, by UID and by sequence number (for a server that sends the UID
// after the body).
type partEncodingMap struct {
	byUID, bySeq map[uint32]string
}

// of returns the encoding for the message whose body is arriving.
func (e partEncodingMap) of(m *imap.FetchMessage) (string, bool) {
	if m.UID != 0 {
		enc, ok := e.byUID[m.UID]
		return enc, ok
	}
	enc, ok := e.bySeq[m.SeqNum]
	return enc, ok
}

// partAt finds the body part numbered path (RFC 3501 §6.4.5): the parts
// of a multipart are numbered from 1, a message/rfc822 part's numbers
// refer to the parts of the message it holds, and a single-part message
// has one part numbered 1.
func partAt(bs *imap.BodyStructure, path []int) *imap.BodyStructure {
	for _, n := range path {
		if bs == nil {
			return nil
		}
		if bs.Type == "message" && bs.Subtype == "rfc822" && bs.Body != nil {
			bs = bs.Body
		}
		if len(bs.Parts) > 0 {
			if n > len(bs.Parts) {
				return nil
			}
			bs = bs.Parts[n-1]
		} else if n != 1 {
			return nil
		}
	}
	return bs
}

// decodeReader undoes a Content-Transfer-Encoding (RFC 2045 §6).
func decodeReader(r io.Reader, encoding string) (io.Reader, error) {
	switch encoding {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, newlineStripper{r}), nil
	case "quoted-printable":
		return quotedprintable.NewReader(r), nil
	case "", "7bit", "8bit", "binary":
		return r, nil
	}
	return nil, fmt.Errorf("cannot decode Content-Transfer-Encoding %q", encoding)
}

// newlineStripper drops CR and LF, which base64 bodies carry every 76
// characters (RFC 2045 §6.8) and Go's decoder skips only partly.
type newlineStripper struct{ r io.Reader }

func (s newlineStripper) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b != '\r' && b != '\n' && b != ' ' && b != '\t' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// compactSet turns search results into a set of ranges (4,5,6,9 becomes
// 4:6,9), so that a large result makes a short FETCH command.
func compactSet(nums []uint32, uid bool) imap.NumSet {
	sorted := slices.Clone(nums)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	set := imap.NumSet{UID: uid}
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] == sorted[j]+1 {
			j++
		}
		set.AddRange(sorted[i], sorted[j])
		i = j + 1
	}
	return set
}
