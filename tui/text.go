package tui

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ssowiz/ssowiz/internal/plural"
)

// truncate cuts s to width cells, ending with … when it was longer.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// padRight pads s with spaces to width cells (ANSI-aware).
func padRight(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// wrapLines word-wraps text to width cells (ANSI-aware) and returns the
// lines. It breaks only at spaces: a URL, URN or token is never split at
// a slash or a hyphen, so what the admin copies is whole. A word longer
// than a whole line starts a line of its own and is cut at the width,
// the one place it can't be helped (the copy keys give it whole).
func wrapLines(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		cur, curW := "", 0
		flush := func() {
			out = append(out, cur)
			cur, curW = "", 0
		}
		for _, w := range strings.Split(para, " ") {
			ww := ansi.StringWidth(w)
			if curW > 0 && curW+1+ww <= width {
				cur, curW = cur+" "+w, curW+1+ww
				continue
			}
			if curW > 0 {
				flush()
			}
			for ww > width {
				out = append(out, ansi.Cut(w, 0, width))
				w = ansi.Cut(w, width, ww)
				ww = ansi.StringWidth(w)
			}
			cur, curW = w, ww
		}
		flush()
	}
	return out
}

// wrap word-wraps plain text to width cells.
func wrap(s string, width int) string {
	return strings.Join(wrapLines(s, width), "\n")
}

// upperFirst capitalises the first letter.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// maskSecret hides a secret whole: not even its length shows.
func maskSecret(string) string { return strings.Repeat("•", 24) }

// indent prefixes every line of s with n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// untilText says how far off a time is, in the largest sensible unit.
func untilText(d time.Duration) string {
	if d < 0 {
		return "expired"
	}
	days := int(d.Hours() / 24)
	switch {
	case days >= 365*2:
		return fmt.Sprintf("in %d years", days/365)
	case days >= 60:
		return fmt.Sprintf("in %d months", days/30)
	case days >= 1:
		return fmt.Sprintf("in %d days", days)
	}
	return "within a day"
}

// durationText is a duration rounded for people: 85ms, 1.2s.
func durationText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// countsText is a run's tally in words: "6 passed, 1 failed, 1 warning, 0
// skipped".
func countsText(pass, fail, warn, skip int) string {
	return fmt.Sprintf("%d passed, %d failed, %s, %d skipped", pass, fail, plural.Count(warn, "warning"), skip)
}
