package cmd

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/spf13/cobra"
)

// ConvertOptions are the inputs of the convert command.
type ConvertOptions struct {
	IO      *IOStreams
	Context context.Context
	Policy  func(defaultSpec string) (*policy.Policy, error)
	Quiet   bool
	// JSON writes one report per message (defects found, bytes written)
	// as NDJSON on stderr.
	JSON bool

	// Inputs are files, mboxes or Maildirs; "-" or none means stdin.
	Inputs []string
}

// NewConvertCmd returns the convert command: messages from files or stdin
// written to stdout under --policy.
func NewConvertCmd(f *Factory, runF func(*ConvertOptions) error) *cobra.Command {
	opts := &ConvertOptions{IO: f.IOStreams, Policy: f.Policy}
	return &cobra.Command{
		Use:   "convert [FILE...]",
		Short: "Rewrite messages from files or stdin under a policy",
		Long: `Read messages and write them to stdout under --policy (default: default),
the way Python's BytesGenerator(out, policy=P).flatten(msg) writes them.

An input is a message file, an mbox, a Maildir or a folder of .eml files;
"-" or no input reads stdin (a message, or an mbox when it starts with
"From "). One message is written as it is; several become an mboxrd stream.
For example, to hand a message to sendmail with CRLF line endings:

  imapctl convert --policy SMTP msg.eml | sendmail -t

A message with defects under a strict policy (raise_on_defect) is not
written; the others are, and imapctl exits with status 6. With --json, a
report per message (source, index, the defects Python's parser would record,
bytes written) goes to stderr as NDJSON.`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.Inputs = args
			opts.Quiet = f.Global.Quiet
			opts.JSON = f.Global.JSON
			if runF != nil {
				return runF(opts)
			}
			return convertRun(opts)
		},
	}
}

// messageSource is a Source plus whether it holds a single message file.
type messageSource struct {
	source output.Source
	name   string
	single bool
}

// openInputs opens every input lazily, in order.
func openInput(in io.Reader, name string) (messageSource, error) {
	if name == "-" {
		br := bufio.NewReader(in)
		if head, _ := br.Peek(5); string(head) == "From " {
			return messageSource{source: output.NewMboxReader(br, "stdin", output.MboxRD), name: "stdin"}, nil
		}
		return messageSource{source: &singleSource{r: br}, name: "stdin", single: true}, nil
	}
	src, kind, err := output.OpenKind(name, output.MboxRD)
	if err != nil {
		return messageSource{}, err
	}
	return messageSource{source: src, name: name, single: kind == output.KindMessage}, nil
}

// singleSource is a Source of one message read from a stream.
type singleSource struct {
	r    io.Reader
	done bool
}

func (s *singleSource) Next() (output.SourceMessage, io.Reader, error) {
	if s.done {
		return output.SourceMessage{}, nil, io.EOF
	}
	s.done = true
	return output.SourceMessage{Index: 1, Size: -1}, s.r, nil
}

func (s *singleSource) Close() error { return nil }

// convertRun writes every input message under the policy.
func convertRun(opts *ConvertOptions) error {
	p, err := opts.Policy("default")
	if err != nil {
		return err
	}
	inputs := opts.Inputs
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	var sink *output.WriterSink
	failures := &batchFailures{io: opts.IO, quiet: opts.Quiet}
	total := 0
	for _, name := range inputs {
		src, err := openInput(opts.IO.In, name)
		if err != nil {
			return &UsageError{fmt.Errorf("convert: %w", err)}
		}
		if sink == nil {
			format := output.WriterMboxrd
			if len(inputs) == 1 && src.single {
				format = output.WriterRaw
			}
			sink = output.NewWriterSink(opts.IO.Out, format)
		}
		for {
			meta, body, err := src.source.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				src.source.Close()
				return fmt.Errorf("convert: %s: %w", src.name, err)
			}
			total++
			var report *policy.Report
			_, err = sink.Put(opts.Context, output.Message{Sender: meta.Sender, InternalDate: meta.InternalDate},
				func(w io.Writer) error {
					var err error
					report, err = p.Write(w, body)
					return err
				})
			if opts.JSON && report != nil {
				// Reports go to stderr: stdout carries the messages.
				line := convertReport{Source: src.name, Index: meta.Index, Defects: report.Defects, Bytes: report.Written}
				if line.Defects == nil {
					line.Defects = []policy.Defect{}
				}
				if err == nil {
					_ = writeJSONLine(opts.IO.ErrOut, line)
				}
			}
			if err != nil {
				if !isMessageFailure(err) || opts.Context.Err() != nil {
					src.source.Close()
					return fmt.Errorf("convert: %s: %w", src.name, err)
				}
				failures.add(src.where(meta.Index), err)
			}
		}
		src.source.Close()
	}
	return failures.result(total)
}

// convertReport is one NDJSON line of convert --json.
type convertReport struct {
	Source  string          `json:"source"`
	Index   int             `json:"index"`
	Defects []policy.Defect `json:"defects"`
	Bytes   int64           `json:"bytes"`
}
