package har

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ssowiz/ssowiz/internal/atomicfile"
)

// AnalyzeFile analyses the HAR at path ("-" reads stdin).
func AnalyzeFile(ctx context.Context, path string, stdin io.Reader, opts Options) (*Report, error) {
	r, closeFn, err := openInput(path, stdin)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	rep, err := Analyze(ctx, r, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// RedactFileOptions tune RedactFile.
type RedactFileOptions struct {
	// Keep is passed to Redact.
	Keep []string
	// Force allows replacing an existing output file.
	Force bool
}

// RedactFile reads the HAR at in ("-" reads stdin), redacts it and writes
// it to out ("-" writes stdout). It never modifies in: out naming the same
// file is an error (ErrSameFile), and so is an existing out without Force
// (ErrOutputExists). The output appears whole or not at all: it is
// written to a temporary file beside out and renamed into place, readable
// by the owner only.
func RedactFile(ctx context.Context, in, out string, stdin io.Reader, stdout io.Writer, opts RedactFileOptions) (Counts, error) {
	if out == "" {
		return nil, fmt.Errorf("no output file: name one with -o; the input is never changed")
	}
	if out != "-" {
		if err := checkOutput(in, out, opts.Force); err != nil {
			return nil, err
		}
	}
	r, closeFn, err := openInput(in, stdin)
	if err != nil {
		return nil, err
	}
	h, err := Read(r)
	closeFn()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	counts := Redact(h, RedactOptions{Keep: opts.Keep})
	if out == "-" {
		return counts, Write(stdout, h)
	}
	return counts, atomicfile.Write(out, func(w io.Writer) error { return Write(w, h) })
}

// openInput opens a HAR file or stdin, gunzipping it when it was sent
// compressed (a .har.gz attached to a support ticket).
func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	var r io.Reader
	closeFn := func() {}
	if path == "-" {
		if stdin == nil {
			return nil, nil, errors.New("no standard input to read the HAR from")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("open the HAR file: %w", err)
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w: it is a directory", path, ErrNotHAR)
		}
		r, closeFn = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("%s: %w: a gzip file that cannot be read: %v", path, ErrNotHAR, err)
		}
		return zr, closeFn, nil
	}
	return br, closeFn, nil
}

func checkOutput(in, out string, force bool) error {
	ost, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the output file: %w", err)
	}
	if in != "-" {
		if ist, err := os.Stat(in); err == nil && os.SameFile(ist, ost) {
			return fmt.Errorf("%s: %w; redaction never changes its input, so name another output file", out, ErrSameFile)
		}
	}
	if ost.IsDir() {
		return fmt.Errorf("%s is a directory; name an output file", out)
	}
	if !force {
		return fmt.Errorf("%s: %w; use --force to replace it", out, ErrOutputExists)
	}
	return nil
}
