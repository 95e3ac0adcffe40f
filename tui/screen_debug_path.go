package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/har"
)

// harPathError is why a typed HAR path could not be analysed: a sentence
// for the admin, wrapping the cause (fs.ErrNotExist, har.ErrNotHAR, …) for
// errors.Is.
type harPathError struct {
	msg string
	err error
}

func (e *harPathError) Error() string { return e.msg }
func (e *harPathError) Unwrap() error { return e.err }

// resolveHARPath turns a typed or pasted path into a file to open: it
// drops the quotes and backslash-escaped spaces a terminal adds to a
// dropped file, takes file:// URLs, expands ~, and checks that a regular
// file is there. Relative paths are from the working directory.
func resolveHARPath(typed string) (string, error) {
	p := cleanTypedPath(typed)
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return p, &harPathError{msg: fmt.Sprintf("~ could not be expanded (%v); type the full path.", err), err: err}
		}
		p = filepath.Join(home, p[1:])
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		where := p
		if !filepath.IsAbs(p) {
			if wd, err := os.Getwd(); err == nil {
				where = filepath.Join(wd, p)
			}
		}
		return p, &harPathError{msg: fmt.Sprintf("No file at %s. Check the path, or capture the HAR again as below.", where), err: err}
	case err != nil:
		return p, &harPathError{msg: fmt.Sprintf("%s cannot be read: %v.", p, errors.Unwrap(err)), err: err}
	case fi.IsDir():
		msg := fmt.Sprintf("%s is a directory; type the path of a .har file in it", p)
		if names := harFilesIn(p, 3); len(names) > 0 {
			msg += " (it holds " + strings.Join(names, ", ") + ")"
		}
		return p, &harPathError{msg: msg + ".", err: fmt.Errorf("%s: %w: it is a directory", p, har.ErrNotHAR)}
	}
	return p, nil
}

// cleanTypedPath undoes what terminals do to a dropped or pasted path.
func cleanTypedPath(typed string) string {
	p := strings.TrimSpace(typed)
	if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
		return p[1 : len(p)-1]
	}
	if strings.HasPrefix(p, "file://") {
		if u, err := url.Parse(p); err == nil && u.Path != "" {
			return filepath.FromSlash(u.Path)
		}
	}
	if runtime.GOOS != "windows" {
		p = strings.ReplaceAll(p, `\ `, " ")
	}
	return p
}

// harFilesIn names up to n .har files in dir, in name order.
func harFilesIn(dir string, n int) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(strings.ToLower(e.Name()), ".har") || strings.HasSuffix(strings.ToLower(e.Name()), ".har.gz")) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) > n {
		names = append(names[:n], "…")
	}
	return names
}

// explainAnalyzeError says in the admin's terms why a file could not be
// analysed.
func explainAnalyzeError(path string, err error) error {
	if !errors.Is(err, har.ErrNotHAR) {
		return &harPathError{msg: fmt.Sprintf("%s could not be analysed: %v.", path, err), err: err}
	}
	why := err.Error()
	if _, after, ok := strings.Cut(why, har.ErrNotHAR.Error()+": "); ok {
		why = after
	}
	return &harPathError{
		msg: fmt.Sprintf("%s is not a HAR file (%s). Export the sign-in from the browser's Network tab as a .har file, as below.", path, why),
		err: err,
	}
}
