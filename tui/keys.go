package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the wizard answers to, grouped by where it applies.
// Keys that are printable characters (q, ?, c, …) only act when no text
// field has focus; the always-available twins (ctrl+c, f1) work anywhere.
type KeyMap struct {
	// Everywhere.
	Next, Back, Quit, Help, Save key.Binding
	// Jump moves to a step by number from the stepper (alt+1…alt+0).
	Jump key.Binding
	// PageDown and PageUp scroll a body taller than the terminal (on the
	// live checks, the selected check's details).
	PageDown, PageUp key.Binding

	// Forms: move between fields, cycle a choice, flip a switch.
	NextField, PrevField, Left, Right, Toggle key.Binding

	// Lists and tables.
	Up, Down, Add, Delete, Undo, Edit, Guide key.Binding

	// Users and groups: Filter narrows a long list, Home and End go to
	// its ends.
	AssignmentRequired, Filter, Home, End key.Binding

	// Personal access token.
	Generate, Reveal, Copy key.Binding
	// CopyValue copies the focused field's value, even while typing in it.
	CopyValue key.Binding

	// SCIM configuration.
	TestConnection key.Binding

	// Live checks.
	Rerun, GoToField key.Binding

	// Summary. ExportGraph writes the Microsoft Graph script for the real
	// tenant (what ssowiz export --format graph writes).
	Reopen, ExportMarkdown, ExportGraph, ExportSetup key.Binding

	// Debugging screen: open it from the summary, edit the HAR path, fill
	// in a HAR of the last check run, show how to capture one, scroll.
	Debugging, EditPath, CheckHAR, HowTo, Scroll key.Binding

	// Quit confirmation.
	ConfirmYes, ConfirmNo, ConfirmSave key.Binding
}

// DefaultKeyMap returns the wizard's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c", "q"), key.WithHelp("q", "quit")),
		Help:     key.NewBinding(key.WithKeys("f1", "?"), key.WithHelp("?", "help")),
		Save:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "more")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "back up")),
		Jump:     key.NewBinding(key.WithKeys("alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9", "alt+0"), key.WithHelp("alt+1…0", "go to step")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "change choice")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "change choice")),

		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Toggle:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),

		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Add:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Delete: key.NewBinding(key.WithKeys("d", "delete", "backspace"), key.WithHelp("d", "remove")),
		Undo:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo remove")),
		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Guide:  key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "use the guide's claims")),

		AssignmentRequired: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "assignment required")),
		Filter:             key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Home:               key.NewBinding(key.WithKeys("home"), key.WithHelp("home/end", "first/last")),
		End:                key.NewBinding(key.WithKeys("end"), key.WithHelp("home/end", "first/last")),

		Generate: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "generate token")),
		Reveal:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "show/hide")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),

		CopyValue: key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "copy value")),

		TestConnection: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test connection")),

		Rerun:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
		GoToField: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix it")),

		Reopen:         key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1…9", "reopen")),
		ExportMarkdown: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "markdown")),
		ExportGraph:    key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "graph script")),
		ExportSetup:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),

		Debugging: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "debug a HAR")),
		EditPath:  key.NewBinding(key.WithKeys("e", "/"), key.WithHelp("e", "other file")),
		CheckHAR:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "check HAR")),
		HowTo:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "how-to")),
		Scroll:    key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),

		ConfirmYes:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "quit without saving")),
		ConfirmNo:   key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "stay")),
		ConfirmSave: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save and quit")),
	}
}

// ShortHelp is the keys the help line always ends with, on every screen
// (the steps put their own before them).
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Back, k.Help, k.Quit}
}

// FullHelp is the keys that work on every step, for the ? screen; the
// current step's own keys come before them.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Back, k.Jump, k.Save,
			key.NewBinding(key.WithKeys("pgdown", "pgup"), key.WithHelp("pgdn/pgup", "scroll a long screen"))},
		{k.NextField, k.PrevField, k.Left, k.Toggle},
		{k.Help, k.Quit,
			key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help, anywhere")),
			key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit, anywhere"))},
	}
}
