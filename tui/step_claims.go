package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// claimsStep is Attributes & Claims: a table of the Unique User Identifier
// and the additional claims, edited row by row.
type claimsStep struct {
	// sel is the selected row: 0 is the Name ID, 1… the additional claims.
	sel int
	// edit is the open row editor, nil when browsing.
	edit *claimEditor
	// removed is the claims as they were before the last removal, so u
	// can put the claim back; nil when there is nothing to undo.
	removed *setup.Claims
	// removedName names the claim removed, for the undo hint.
	removedName string
}

// claimEditor edits one row in place, so validation follows each key;
// esc puts the row back as it was (or removes a row just added).
type claimEditor struct {
	form   form
	row    int
	before setup.Claims
	added  bool
}

func newClaimsStep() *claimsStep { return &claimsStep{} }

func (*claimsStep) title() string { return "Attributes & Claims" }
func (*claimsStep) short() string { return "Claims" }
func (*claimsStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Single sign-on › Attributes & Claims › Edit"
}
func (s *claimsStep) editing() bool { return s.edit != nil && s.edit.form.editing() }
func (s *claimsStep) done(m *Model) bool {
	return m.confirmed[StepClaims] && len(setup.Errors(m.stepFindings(StepClaims))) == 0
}

func (s *claimsStep) enter(m *Model, focus string) tea.Cmd {
	s.edit = nil
	s.removed = nil
	s.sel = 0
	// A remediation on claims.additional[i]… selects that row.
	var i int
	if _, err := fmt.Sscanf(strings.TrimPrefix(focus, "claims.additional["), "%d]", &i); err == nil && i < len(m.setup.Claims.Additional) {
		s.sel = i + 1
	}
	return nil
}

func (s *claimsStep) keys(m *Model) []key.Binding {
	k := m.keys
	if s.edit != nil {
		return []key.Binding{k.NextField, k.Left,
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	// Most used first: the help line drops keys from the end when narrow.
	out := []key.Binding{k.Edit}
	if len(m.setup.Claims.Additional) > 0 {
		out = append(out, k.Delete)
	}
	if s.removed != nil {
		out = append(out, k.Undo)
	}
	return append(out, k.Add, k.Up, k.Guide)
}

// sources is Entra's list of source attributes, as the portal offers it.
func sources() []choice {
	var out []choice
	for _, a := range directory.SourceAttributes() {
		out = append(out, choice{value: a.Name, label: a.Name})
	}
	return out
}

// formats are the Name identifier formats, stored as the setup spells them.
func formats() []choice {
	names := map[directory.NameIDFormat]string{
		directory.NameIDDefault:                    setup.FormatDefault,
		directory.NameIDEmailAddress:               setup.FormatEmailAddress,
		directory.NameIDPersistent:                 setup.FormatPersistent,
		directory.NameIDUnspecified:                setup.FormatUnspecified,
		directory.NameIDWindowsDomainQualifiedName: setup.FormatWindows,
	}
	var out []choice
	for _, f := range directory.NameIDFormats() {
		out = append(out, choice{value: names[f], label: f.Label()})
	}
	return out
}

func formatLabel(v string) string {
	for _, c := range formats() {
		if c.value == v {
			return c.label
		}
	}
	return v
}

func (s *claimsStep) openEditor(m *Model, row int, added bool) tea.Cmd {
	e := &claimEditor{row: row, before: cloneClaims(m.setup.Claims), added: added}
	if row == 0 {
		e.form.fields = []field{
			&choiceField{p: "claims.name_id.source", long: "Source attribute", options: sources(), filter: true,
				help: "The guide: user.userprincipalname, which SCIM also sends as userName.",
				get:  func(s setup.Setup) string { return s.Claims.NameID.Source },
				set:  func(s *setup.Setup, v string) { s.Claims.NameID.Source = v }},
			&choiceField{p: "claims.name_id.format", long: "Name identifier format", options: formats(),
				help: "Email address, as a new app has it.",
				get:  func(s setup.Setup) string { return s.Claims.NameID.Format },
				set:  func(s *setup.Setup, v string) { s.Claims.NameID.Format = v }},
		}
	} else {
		i := row - 1
		path := fmt.Sprintf("claims.additional[%d]", i)
		e.form.fields = []field{
			newTextField(path+".name", "Name", "",
				"The attribute name RudderStack reads: exactly Email or LastName.",
				func(s setup.Setup) string { return s.Claims.Additional[i].Name },
				func(s *setup.Setup, v string) { s.Claims.Additional[i].Name = v }),
			newTextField(path+".namespace", "Namespace", "",
				"Leave it empty, so the claim goes out under its bare name.",
				func(s setup.Setup) string { return s.Claims.Additional[i].Namespace },
				func(s *setup.Setup, v string) { s.Claims.Additional[i].Namespace = v }),
			&choiceField{p: path + ".source", long: "Source attribute", options: sources(), filter: true,
				help: "Email: user.mail. LastName: user.displayname or user.surname.",
				get:  func(s setup.Setup) string { return s.Claims.Additional[i].Source },
				set:  func(s *setup.Setup, v string) { s.Claims.Additional[i].Source = v }},
		}
	}
	e.form.load(m.setup)
	s.edit = e
	return e.form.enter("")
}

func cloneClaims(c setup.Claims) setup.Claims {
	c.Additional = slices.Clone(c.Additional)
	return c
}

func (s *claimsStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	k := m.keys
	kp, isKey := msg.(tea.KeyPressMsg)
	if s.edit != nil {
		if isKey {
			switch kp.String() {
			case "enter":
				s.edit = nil
				return nil, true
			case "esc":
				m.setup.Claims = s.edit.before
				if s.edit.added {
					s.sel = min(s.sel, len(m.setup.Claims.Additional))
				}
				s.edit = nil
				return nil, true
			}
		}
		return s.edit.form.update(msg, &m.setup, k)
	}
	if !isKey {
		return nil, false
	}
	n := len(m.setup.Claims.Additional)
	switch {
	case key.Matches(kp, k.Up):
		s.sel = max(s.sel-1, 0)
	case key.Matches(kp, k.Down):
		s.sel = min(s.sel+1, n)
	case key.Matches(kp, k.Edit), kp.String() == "space":
		return s.openEditor(m, s.sel, false), true
	case key.Matches(kp, k.Add):
		m.setup.Claims.Additional = append(slices.Clone(m.setup.Claims.Additional), setup.Claim{Source: "user.mail"})
		s.sel = len(m.setup.Claims.Additional)
		cmd := s.openEditor(m, s.sel, true)
		s.edit.before.Additional = s.edit.before.Additional[:n]
		return cmd, true
	case key.Matches(kp, k.Delete) && s.sel > 0:
		// Removed at once, as in Entra, with an undo: nothing is lost to
		// a stray key.
		i := s.sel - 1
		before := cloneClaims(m.setup.Claims)
		s.removed, s.removedName = &before, before.Additional[i].WireName()
		if s.removedName == "" {
			s.removedName = "(no name)"
		}
		m.setup.Claims.Additional = slices.Delete(slices.Clone(m.setup.Claims.Additional), i, i+1)
		s.sel = min(s.sel, len(m.setup.Claims.Additional))
		m.setBanner(fmt.Sprintf("Removed the claim %s. Press u to undo.", s.removedName), false)
	case key.Matches(kp, k.Undo) && s.removed != nil:
		m.setup.Claims = *s.removed
		s.removed = nil
		if s.removedName == "" {
			m.setBanner("Put the claims back as they were.", false)
		} else {
			m.setBanner(fmt.Sprintf("Put the claim %s back.", s.removedName), false)
		}
	case key.Matches(kp, k.Guide):
		d := setup.Default()
		before := cloneClaims(m.setup.Claims)
		s.removed, s.removedName = &before, ""
		m.setBanner("The guide's claims are in. Press u to undo.", false)
		m.setup.Claims = cloneClaims(d.Claims)
		s.sel = 0
	default:
		return nil, false
	}
	return nil, true
}

func (s *claimsStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	b.WriteString(wrap("The guide: remove the additional claims a new app starts with (givenname, surname, emailaddress, name), then Add new claim: Email = user.mail and LastName = user.displayname (or user.surname). Keep the Unique User Identifier as user.userprincipalname.", width) + "\n\n")
	lines := strings.Count(b.String(), "\n")

	c := m.setup.Claims
	nameW := min(max(22, width*3/10), 34)
	srcW := 24
	nsW := max(width-nameW-srcW-8, 8)
	head := "  " + padRight("Claim name", nameW) + " " + padRight("Source attribute", srcW) + " " + "Namespace / format"
	b.WriteString(st.TableHead.Render(truncate(head, width)) + "\n")
	lines++
	focus := lines
	row := func(i int, name, src, extra string, fs []setup.Finding) {
		marker := "  "
		nameSty := st.Text
		if i == s.sel {
			marker = st.Selected.Render("›") + " "
			nameSty = st.Selected
			focus = lines
		}
		line := marker + nameSty.Render(padRight(truncate(name, nameW), nameW)) + " " +
			padRight(truncate(src, srcW), srcW) + " " + st.Muted.Render(padRight(truncate(extra, nsW), nsW)) + " " + markFor(st, fs)
		b.WriteString(line + "\n")
		lines++
	}
	row(0, "Unique User Identifier (Name ID)", c.NameID.Source, formatLabel(c.NameID.Format), m.findingsFor("claims.name_id"))
	for i, cl := range c.Additional {
		name := cl.Name
		if name == "" {
			name = "(no name)"
		}
		row(i+1, name, cl.Source, cl.Namespace, m.findingsFor(fmt.Sprintf("claims.additional[%d]", i)))
	}
	if len(c.Additional) == 0 {
		b.WriteString(st.Muted.Render("  (no additional claims)") + "\n")
		lines++
	}

	var notes []setup.Finding
	if s.edit != nil {
		b.WriteString("\n" + st.Strong.Render("Edit: ") + st.Muted.Render("enter when done, esc to undo") + "\n")
		fv, f := s.edit.form.view(m, width-2)
		b.WriteString(indent(fv, 2) + "\n")
		focus = lines + 2 + f
		// The fields show their own findings; what is about the whole
		// row (listed twice, a default claim) follows.
		row := fmt.Sprintf("claims.additional[%d]", s.sel-1)
		for _, f := range m.findings {
			if f.Field == row {
				notes = append(notes, f)
			}
		}
	} else {
		// The reasons for the selected row, and for what is missing from
		// the table altogether.
		if s.sel == 0 {
			notes = m.findingsFor("claims.name_id")
		} else {
			notes = m.findingsFor(fmt.Sprintf("claims.additional[%d]", s.sel-1))
		}
		for _, f := range m.findings {
			if f.Field == "claims.additional" {
				notes = append(notes, f)
			}
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	for _, f := range notes {
		sty, icon := st.Reason, "✗ "
		if f.Severity == setup.SeverityWarning {
			sty, icon = st.ReasonWarn, "! "
		}
		b.WriteString(sty.Render(hanging(icon, f.Label+": "+findingText(f), width)) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n"), focus
}
