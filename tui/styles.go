package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// palette is the wizard's small set of colours, one per meaning. Body text
// keeps the terminal's own foreground so it reads on any theme.
type palette struct {
	accent, ok, bad, warn, muted, subtle, onAccent color.Color
}

func newPalette(dark bool) palette {
	ld := lipgloss.LightDark(dark)
	return palette{
		accent:   ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#A99BFF")),
		ok:       ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950")),
		bad:      ld(lipgloss.Color("#CF222E"), lipgloss.Color("#FF7B72")),
		warn:     ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922")),
		muted:    ld(lipgloss.Color("#57606A"), lipgloss.Color("#8B949E")),
		subtle:   ld(lipgloss.Color("#D0D7DE"), lipgloss.Color("#30363D")),
		onAccent: ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#1B1530")),
	}
}

// Styles holds every style the wizard draws with, built from one palette;
// components take what they need from here and hold no colours of their own.
type Styles struct {
	// Dark says which palette the styles were built from.
	Dark bool

	Header, HeaderApp, HeaderStep lipgloss.Style
	// Stepper marks: done, current, failing, warning and not yet visited.
	StepDone, StepCurrent, StepBad, StepWarn, StepTodo, StepSep lipgloss.Style

	Title, Breadcrumb, Text, Muted, Strong, Code lipgloss.Style
	Label, LabelFocused, Cursor                  lipgloss.Style
	InputText, InputPlaceholder                  lipgloss.Style

	// Status icons and the text beside a field that is off.
	OK, Bad, Warn, Pending, Running lipgloss.Style
	Reason, ReasonWarn              lipgloss.Style

	Selected  lipgloss.Style
	Table     lipgloss.Style
	TableHead lipgloss.Style
	Box       lipgloss.Style
	Dialog    lipgloss.Style
	Banner    lipgloss.Style
	BannerBad lipgloss.Style
	Status    lipgloss.Style
	Rule      lipgloss.Style

	Help help.Styles
}

// NewStyles builds the styles for a dark or light terminal background.
func NewStyles(dark bool) *Styles {
	p := newPalette(dark)
	s := &Styles{Dark: dark}
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }

	s.Header = lipgloss.NewStyle().Bold(true)
	s.HeaderApp = lipgloss.NewStyle().Bold(true).Foreground(p.onAccent).Background(p.accent).Padding(0, 1)
	s.HeaderStep = fg(p.muted)

	s.StepDone = fg(p.ok)
	s.StepCurrent = lipgloss.NewStyle().Bold(true).Foreground(p.accent).Underline(true)
	s.StepBad = fg(p.bad)
	s.StepWarn = fg(p.warn)
	s.StepTodo = fg(p.muted)
	s.StepSep = fg(p.subtle)

	s.Title = lipgloss.NewStyle().Bold(true).Foreground(p.accent)
	s.Breadcrumb = fg(p.muted)
	s.Text = lipgloss.NewStyle()
	s.Muted = fg(p.muted)
	s.Strong = lipgloss.NewStyle().Bold(true)
	s.Code = fg(p.accent)

	s.Label = lipgloss.NewStyle()
	s.LabelFocused = lipgloss.NewStyle().Bold(true).Foreground(p.accent)
	s.Cursor = fg(p.accent)
	s.InputText = lipgloss.NewStyle()
	s.InputPlaceholder = fg(p.muted)

	s.OK = fg(p.ok)
	s.Bad = lipgloss.NewStyle().Bold(true).Foreground(p.bad)
	s.Warn = lipgloss.NewStyle().Bold(true).Foreground(p.warn)
	s.Pending = fg(p.muted)
	s.Running = fg(p.accent)
	s.Reason = fg(p.bad)
	s.ReasonWarn = fg(p.warn)

	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(p.accent)
	s.Table = lipgloss.NewStyle()
	s.TableHead = lipgloss.NewStyle().Bold(true).Foreground(p.muted)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.subtle).Padding(0, 1)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.accent).Padding(0, 1)
	s.Banner = lipgloss.NewStyle().Foreground(p.warn)
	s.BannerBad = lipgloss.NewStyle().Foreground(p.bad)
	s.Status = fg(p.muted)
	s.Rule = fg(p.subtle)

	s.Help = help.Styles{
		ShortKey:       fg(p.accent),
		ShortDesc:      fg(p.muted),
		ShortSeparator: fg(p.subtle),
		Ellipsis:       fg(p.subtle),
		FullKey:        fg(p.accent),
		FullDesc:       fg(p.muted),
		FullSeparator:  fg(p.subtle),
	}
	return s
}
