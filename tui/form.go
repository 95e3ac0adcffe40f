package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// field is one row of a form: a value of the setup, edited in place. Every
// change is written straight into the setup, so validation runs on each
// key press.
type field interface {
	// path is the setup field it edits, e.g. "saml.reply_url".
	path() string
	// label is the field's label on the Entra or RudderStack screen; short
	// is used when the terminal is narrow.
	label(short bool) string
	// hint explains the field; shown under it while it has focus.
	hint() string
	// text reports whether printable keys belong to the field.
	text() bool
	focus() tea.Cmd
	blur()
	// load reads the field's value from s.
	load(s setup.Setup)
	// update handles a message while the field has focus and writes any
	// change into s; handled is false for keys the field does not use.
	update(msg tea.Msg, s *setup.Setup, k KeyMap) (cmd tea.Cmd, handled bool)
	// view renders the value in at most width cells.
	view(st *Styles, width int, focused bool) string
}

// textField is a free-text field backed by a bubbles text input.
type textField struct {
	p, long, shortLabel, help string
	get                       func(setup.Setup) string
	set                       func(*setup.Setup, string)
	in                        textinput.Model
	mask                      bool
	placeholder               string
}

func newTextField(path, long, short, help string, get func(setup.Setup) string, set func(*setup.Setup, string)) *textField {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 2048
	// No blinking: a blink is a timer, and a frame should depend only on
	// what was typed.
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return &textField{p: path, long: long, shortLabel: short, help: help, get: get, set: set, in: in}
}

func (f *textField) path() string { return f.p }
func (f *textField) label(short bool) string {
	if short && f.shortLabel != "" {
		return f.shortLabel
	}
	return f.long
}
func (f *textField) hint() string       { return f.help }
func (f *textField) text() bool         { return true }
func (f *textField) focus() tea.Cmd     { return f.in.Focus() }
func (f *textField) blur()              { f.in.Blur() }
func (f *textField) load(s setup.Setup) { f.in.SetValue(f.get(s)); f.in.CursorEnd() }

func (f *textField) update(msg tea.Msg, s *setup.Setup, _ KeyMap) (tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && !inputUses(f.in.KeyMap, kp) {
		return nil, false
	}
	before := f.in.Value()
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(msg)
	if v := f.in.Value(); v != before {
		f.set(s, v)
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		return cmd, true
	}
	return cmd, cmd != nil
}

func (f *textField) view(st *Styles, width int, focused bool) string {
	if !focused {
		v := f.in.Value()
		if v == "" {
			return st.InputPlaceholder.Render(truncate(f.emptyText(), width))
		}
		if f.mask {
			return st.InputText.Render(truncate(maskSecret(v), width))
		}
		return st.InputText.Render(truncate(v, width))
	}
	f.in.SetWidth(max(width-1, 1))
	if f.mask {
		f.in.EchoMode = textinput.EchoPassword
	}
	ist := f.in.Styles()
	ist.Focused.Text = st.InputText
	ist.Focused.Placeholder = st.InputPlaceholder
	ist.Cursor.Color = st.Cursor.GetForeground()
	f.in.SetStyles(ist)
	f.in.Placeholder = f.emptyText()
	return f.in.View()
}

func (f *textField) emptyText() string {
	if f.placeholder != "" {
		return f.placeholder
	}
	return "(empty)"
}

// inputUses reports whether a text input acts on a key: printable text,
// or one of its editing keys. Enter, esc and the rest are the frame's.
func inputUses(km textinput.KeyMap, kp tea.KeyPressMsg) bool {
	if kp.Text != "" && kp.Mod&^tea.ModShift == 0 {
		return true
	}
	return key.Matches(kp, km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
		km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor,
		km.DeleteCharacterBackward, km.DeleteCharacterForward, km.LineStart, km.LineEnd, km.Paste)
}

// choice is one option of a choiceField: the value stored in the setup and
// the label the portal shows.
type choice struct{ value, label string }

// choiceField is a drop-down: ←/→ cycle through its options.
type choiceField struct {
	p, long, shortLabel, help string
	options                   []choice
	get                       func(setup.Setup) string
	set                       func(*setup.Setup, string)
	cur                       string
	// filter lets the admin type to narrow a long list (Entra's source
	// attributes): typed text selects the first option containing it.
	filter bool
	query  string
}

func (f *choiceField) path() string { return f.p }
func (f *choiceField) label(short bool) string {
	if short && f.shortLabel != "" {
		return f.shortLabel
	}
	return f.long
}
func (f *choiceField) hint() string       { return f.help }
func (f *choiceField) text() bool         { return f.filter }
func (f *choiceField) focus() tea.Cmd     { f.query = ""; return nil }
func (f *choiceField) blur()              { f.query = "" }
func (f *choiceField) load(s setup.Setup) { f.cur = f.get(s) }

func (f *choiceField) index() int {
	for i, o := range f.options {
		if o.value == f.cur {
			return i
		}
	}
	return -1
}

func (f *choiceField) update(msg tea.Msg, s *setup.Setup, k KeyMap) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	if f.filter {
		switch r := kp.Text; {
		case kp.String() == "backspace" && f.query != "":
			f.query = f.query[:len(f.query)-1]
			f.match(s, f.query)
			return nil, true
		case len([]rune(r)) == 1 && r != " ":
			if f.match(s, f.query+r) {
				f.query += r
			}
			return nil, true
		}
	}
	step := 0
	switch {
	case key.Matches(kp, k.Right), key.Matches(kp, k.Toggle):
		step = 1
	case key.Matches(kp, k.Left):
		step = -1
	default:
		return nil, false
	}
	i := f.index()
	if i < 0 {
		i = 0
	} else {
		i = (i + step + len(f.options)) % len(f.options)
	}
	f.cur = f.options[i].value
	f.set(s, f.cur)
	f.query = ""
	return nil, true
}

// match selects the first option whose value holds q (any case), and
// reports whether there was one.
func (f *choiceField) match(s *setup.Setup, q string) bool {
	if q == "" {
		return true
	}
	for _, o := range f.options {
		if strings.Contains(strings.ToLower(o.value), strings.ToLower(q)) {
			f.cur = o.value
			f.set(s, f.cur)
			return true
		}
	}
	return false
}

func (f *choiceField) view(st *Styles, width int, focused bool) string {
	label := f.cur
	if i := f.index(); i >= 0 {
		label = f.options[i].label
	}
	if focused {
		label = "‹ " + label + " ›"
		if i := f.index(); i >= 0 && len(f.options) > 3 {
			label += fmt.Sprintf("  %d of %d", i+1, len(f.options))
		}
		if f.filter && f.query != "" {
			label += fmt.Sprintf("  typed %q", f.query)
		} else if f.filter {
			label += "  (type to filter)"
		}
	}
	return truncate(label, width)
}

// toggleField is a yes/no switch or a check box: space flips it.
type toggleField struct {
	p, long, shortLabel, help string
	yes, no                   string
	get                       func(setup.Setup) bool
	set                       func(*setup.Setup, bool)
	cur                       bool
}

func (f *toggleField) path() string { return f.p }
func (f *toggleField) label(short bool) string {
	if short && f.shortLabel != "" {
		return f.shortLabel
	}
	return f.long
}
func (f *toggleField) hint() string       { return f.help }
func (f *toggleField) text() bool         { return false }
func (f *toggleField) focus() tea.Cmd     { return nil }
func (f *toggleField) blur()              {}
func (f *toggleField) load(s setup.Setup) { f.cur = f.get(s) }

func (f *toggleField) update(msg tea.Msg, s *setup.Setup, k KeyMap) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !key.Matches(kp, k.Toggle, k.Left, k.Right) {
		return nil, false
	}
	f.cur = !f.cur
	f.set(s, f.cur)
	return nil, true
}

func (f *toggleField) view(st *Styles, width int, focused bool) string {
	box, word := "[ ]", f.no
	if f.cur {
		box, word = "[x]", f.yes
	}
	return truncate(box+" "+word, width)
}

// form is a column of fields with one in focus.
type form struct {
	fields []field
	focus  int
}

func (f *form) focused() field {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return nil
	}
	return f.fields[f.focus]
}

// release takes focus off every field, so letter keys act on the step
// (v, c, g) until tab goes back into the form.
func (f *form) release() {
	for _, fd := range f.fields {
		fd.blur()
	}
	f.focus = -1
}

// editing reports whether a text field has focus.
func (f *form) editing() bool {
	fd := f.focused()
	return fd != nil && fd.text()
}

func (f *form) load(s setup.Setup) {
	for _, fd := range f.fields {
		fd.load(s)
	}
}

// enter gives focus to the field editing path, or the first one.
func (f *form) enter(path string) tea.Cmd {
	for _, fd := range f.fields {
		fd.blur()
	}
	f.focus = 0
	for i, fd := range f.fields {
		if path != "" && (fd.path() == path || strings.HasPrefix(path, fd.path()+".") || strings.HasPrefix(path, fd.path()+"[")) {
			f.focus = i
			break
		}
	}
	if fd := f.focused(); fd != nil {
		return fd.focus()
	}
	return nil
}

func (f *form) move(delta int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	if fd := f.focused(); fd != nil {
		fd.blur()
	} else if delta < 0 {
		f.focus = 0 // from no focus, shift+tab lands on the last field
	} else {
		f.focus = -1
	}
	f.focus = (f.focus + delta + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].focus()
}

// update routes a message to the focused field, after the keys that move
// between fields.
func (f *form) update(msg tea.Msg, s *setup.Setup, k KeyMap) (tea.Cmd, bool) {
	if len(f.fields) == 0 {
		return nil, false
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.NextField):
			return f.move(1), true
		case key.Matches(kp, k.PrevField):
			return f.move(-1), true
		}
	}
	fd := f.focused()
	if fd == nil {
		return nil, false
	}
	return fd.update(msg, s, k)
}

// focusedValue is the focused text field's label and value, for the copy
// key; a masked field (the Secret Token) is not copied.
func (f *form) focusedValue(s setup.Setup) (label, value string, ok bool) {
	tf, isText := f.focused().(*textField)
	if !isText || tf.mask || tf.get(s) == "" {
		return "", "", false
	}
	return tf.long, tf.get(s), true
}

// view renders the form: a row per field with its label, value and a
// mark, and under any field that is off, the reason and the fix. The
// focused field's hint follows it. It returns the line of the focused
// field so a scrolled body keeps it in view.
func (f *form) view(w *Model, width int) (string, int) {
	st := w.styles
	short := width < 100
	labelW := 0
	for _, fd := range f.fields {
		labelW = max(labelW, lipgloss.Width(fd.label(short)))
	}
	labelW = min(labelW, width*2/5)
	valueW := max(width-labelW-6, 10)
	var b strings.Builder
	focusLine := 0
	lines := 0
	for i, fd := range f.fields {
		focused := i == f.focus
		if focused {
			focusLine = lines
		}
		marker := "  "
		lst := st.Label
		if focused {
			marker = st.Selected.Render("›") + " "
			lst = st.LabelFocused
		}
		label := lst.Render(padRight(truncate(fd.label(short), labelW), labelW))
		fs := w.findingsFor(fd.path())
		mark := markFor(st, fs)
		value := fd.view(st, valueW, focused)
		row := marker + label + "  " + padRight(value, valueW) + " " + mark
		b.WriteString(row + "\n")
		lines++
		indent := strings.Repeat(" ", 2+labelW+2)
		for _, fn := range fs {
			text := findingText(fn)
			sty := st.Reason
			icon := "✗ "
			if fn.Severity == setup.SeverityWarning {
				sty, icon = st.ReasonWarn, "! "
			}
			for j, line := range wrapLines(text, max(width-len(indent)-2, 20)) {
				lead := icon
				if j > 0 {
					lead = "  "
				}
				b.WriteString(indent + sty.Render(lead+line) + "\n")
				lines++
			}
		}
		if focused && fd.hint() != "" && len(fs) == 0 {
			for _, line := range wrapLines(fd.hint(), max(width-len(indent), 20)) {
				b.WriteString(indent + st.Muted.Render(line) + "\n")
				lines++
			}
		}
	}
	return strings.TrimSuffix(b.String(), "\n"), focusLine
}

// markFor is the ✓/✗/! beside a field.
func markFor(st *Styles, fs []setup.Finding) string {
	worst := ""
	for _, f := range fs {
		if f.Severity == setup.SeverityError {
			worst = "error"
			break
		}
		worst = "warning"
	}
	switch worst {
	case "error":
		return st.Bad.Render("✗")
	case "warning":
		return st.Warn.Render("!")
	}
	return st.OK.Render("✓")
}

// findingText is a finding as one sentence for the admin: the problem,
// then the fix.
func findingText(f setup.Finding) string {
	text := strings.TrimSpace(f.Problem)
	// Findings are written to follow the field's label ("is empty; …");
	// beside the field they stand alone.
	for _, verb := range []string{"is ", "has ", "differs "} {
		if strings.HasPrefix(text, verb) {
			text = "This value " + text
			break
		}
	}
	if text != "" && !strings.HasSuffix(text, ".") {
		text += "."
	}
	if f.Fix != "" {
		text += " " + f.Fix
	}
	return upperFirst(text)
}
