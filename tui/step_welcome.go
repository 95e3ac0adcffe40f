package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// welcomeStep says what will happen and what the admin needs, and offers
// to resume a saved setup.
type welcomeStep struct{}

func (*welcomeStep) title() string                { return "Welcome" }
func (*welcomeStep) short() string                { return "Welcome" }
func (*welcomeStep) screen(*Model) string         { return "" }
func (*welcomeStep) enter(*Model, string) tea.Cmd { return nil }
func (*welcomeStep) editing() bool                { return false }
func (*welcomeStep) done(m *Model) bool           { return m.visited[StepApp] }
func (*welcomeStep) keys(m *Model) []key.Binding {
	if m.resume != nil {
		return []key.Binding{nextKey("resume"), key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "start over"))}
	}
	return []key.Binding{nextKey("start")}
}

func (s *welcomeStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || m.resume == nil {
		return nil, false
	}
	switch {
	case key.Matches(kp, m.keys.Next):
		return m.resumeSaved(), true
	case kp.String() == "n":
		return m.startOver(), true
	}
	return nil, false
}

// welcomeText and needs open the wizard (and its accessible mode).
const welcomeText = "Set up SAML single sign-on and SCIM provisioning between Entra ID and RudderStack, following RudderStack's guide. Every value is rehearsed against local mocks of both, so you know it works before you touch the real ones."

var needs = []string{
	"Entra: a role that can create enterprise apps (Application Administrator).",
	"RudderStack: the Org Admin role, to generate an Admin token for SCIM.",
}

var stepPlan = []string{
	"Create the application in Entra",
	"Basic SAML Configuration",
	"Attributes & Claims",
	"Certificate and metadata URL",
	"Assign users and groups",
	"RudderStack access token",
	"SCIM provisioning",
	"Live checks",
	"Summary to hand over",
}

func (s *welcomeStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	// What happens to the setup file comes first: it decides what enter does.
	switch {
	case m.resume != nil:
		when := m.resume.modTime.Format("2 Jan 2006 15:04")
		b.WriteString(st.Box.Width(width).Render(wrap(fmt.Sprintf("A saved setup was found in %s (saved %s). Press enter to resume with its values, or n to start over with the guide's.", m.path, when), width-4)) + "\n\n")
	case m.path != "" && m.saveErr != nil:
		b.WriteString(st.BannerBad.Render(wrap("The setup file "+m.path+" could not be read: "+m.saveErr.Error()+". ssowiz won't overwrite it; fix it or start with another --setup file.", width)) + "\n\n")
	}
	if m.resume != nil {
		saved := ""
		if m.resume.setup.Wizard != nil {
			saved = m.resume.setup.Wizard.Tenant
		}
		if !sameTenantFile(saved, m.opts.Tenant.File) {
			b.WriteString(st.ReasonWarn.Render(wrap("! That setup was rehearsed against "+describeTenant(saved)+", and this run serves "+describeTenant(m.opts.Tenant.File)+": resuming keeps its values, and the users step shows who of them this tenant has.", width)) + "\n\n")
		}
	}
	if m.opts.Tenant.File != "" {
		b.WriteString(st.Strong.Render("Your tenant") + "\n")
		b.WriteString(wrap("The rehearsal serves your tenant file "+m.opts.Tenant.File+". "+m.opts.Tenant.About, width) + "\n\n")
	}
	b.WriteString(wrap(welcomeText, width))
	b.WriteString("\n\n" + st.Strong.Render("What will happen") + "\n")
	b.WriteString(columns(numbered(stepPlan, 2), width))
	b.WriteString("\n" + st.Strong.Render("What you need") + "\n")
	for _, need := range needs {
		b.WriteString(hanging("• ", need, width) + "\n")
	}
	if m.resume == nil && m.saveErr == nil && m.path != "" {
		b.WriteString("\n" + st.Muted.Render(wrap("Your progress is saved to "+m.path+" as you go; run ssowiz again to resume.", width)))
	}
	return b.String(), -1
}

// numbered prefixes items with their step numbers, starting at from.
func numbered(items []string, from int) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprintf("%2d. %s", i+from, it)
	}
	return out
}

// columns lays items out in two columns when they fit, else one.
func columns(items []string, width int) string {
	colW := 0
	for _, it := range items {
		colW = max(colW, len([]rune(it)))
	}
	var b strings.Builder
	if 2*colW+4 > width {
		for _, it := range items {
			b.WriteString(truncate(it, width) + "\n")
		}
		return b.String()
	}
	half := (len(items) + 1) / 2
	for i := range half {
		b.WriteString(padRight(items[i], colW+4))
		if j := i + half; j < len(items) {
			b.WriteString(items[j])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// hanging wraps text after a bullet, indenting the following lines under
// the text.
func hanging(bullet, text string, width int) string {
	pad := strings.Repeat(" ", lipgloss.Width(bullet))
	lines := wrapLines(text, width-len(pad))
	for i := range lines {
		if i == 0 {
			lines[i] = bullet + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// describeTenant names a tenant file, or the demo tenant for "".
func describeTenant(file string) string {
	if file == "" {
		return "the demo tenant"
	}
	return "the tenant file " + file
}

// sameTenantFile reports whether two tenant file paths name the same
// file (ssowiz records them absolute).
func sameTenantFile(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
