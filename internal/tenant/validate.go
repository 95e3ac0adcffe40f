package tenant

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/ssowiz/ssowiz/internal/entra"
	"github.com/ssowiz/ssowiz/internal/yamlfile"
)

// maxFileSize bounds a tenant file: ten thousand users take about 3 MB.
const maxFileSize = 64 << 20

// The values the file's drop-down fields take.
var (
	signingOptions = []string{"assertion", "response", "both"}
	algorithms     = []string{"sha256", "sha1"}
	nameIDFormats  = []string{"default", "emailAddress", "persistent", "unspecified", "WindowsDomainQualifiedName"}
	groupChoices   = []string{"security", "all", "application"}
	emitChoices    = []string{"object_ids", "names"}
	scopes         = []string{"assigned", "all"}
	applyModes     = []string{"Always", "OnlyDuringCreation"}
)

// AttributeNames are the names User.Attributes takes, each a user
// property beside the ones the file names directly.
func AttributeNames() []string {
	names := make([]string, 0, len(userAttributes))
	for n := range userAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func parse(data []byte, name string) (*File, error) {
	f := &File{name: name, lines: map[string]int{}}
	if err := yamlfile.Decode(bytes.NewReader(data), f, yamlfile.Options{Name: name, MaxSize: maxFileSize, Lines: f.lines,
		EmptyHint: "start from `ssowiz tenant init`, which writes the demo tenant"}); err != nil {
		return nil, err
	}
	switch {
	case f.Version == 0:
		return nil, &yamlfile.Error{File: name, Line: 1, Field: "version", Problem: fmt.Sprintf("missing; add `version: %d` at the top", Version)}
	case f.Version != Version:
		return nil, &yamlfile.Error{File: name, Line: f.lines["version"], Field: "version",
			Problem: fmt.Sprintf("%d is not a version this ssowiz reads; it reads version %d", f.Version, Version)}
	}
	sum := sha256.Sum256(data)
	f.sum = hex.EncodeToString(sum[:])
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// problems collects the file's errors, each pointing at its field.
type problems struct {
	f    *File
	errs []error
}

func (p *problems) add(path, format string, args ...any) {
	p.errs = append(p.errs, p.f.fieldError(path, fmt.Sprintf(format, args...)))
}

// fieldError is a problem with the field at path, at its line (or its
// nearest parent's, for a field left out).
func (f *File) fieldError(path, problem string) *yamlfile.Error {
	line := 0
	for p := path; p != "" && line == 0; {
		line = f.lines[p]
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return &yamlfile.Error{File: f.name, Line: line, Field: path, Problem: problem}
}

func (p *problems) oneOf(path, value string, allowed []string) {
	if value != "" && !slices.Contains(allowed, value) {
		p.add(path, "%q is not an option%s; choose one of %s", value, yamlfile.Suggest(value, allowed), strings.Join(allowed, ", "))
	}
}

// validate checks what can be checked without a directory: required
// fields, options, references between users, groups and apps, and
// duplicates. What only Entra's own rules decide (a URL's form, a
// password's strength) is checked when the file is applied, and reported
// against the same field.
func (f *File) validate() error {
	p := &problems{f: f}
	t := f.Tenant
	switch {
	case t.Name == "":
		p.add("tenant.name", "is required: the initial domain's first label, e.g. contoso for contoso.onmicrosoft.com")
	case !validTenantName(strings.ToLower(t.Name)):
		p.add("tenant.name", "%q must be 1 to 27 letters or digits (it becomes <name>.onmicrosoft.com)", t.Name)
	}
	if strings.TrimSpace(t.DisplayName) == "" {
		p.add("tenant.display_name", "is required: the organization name, e.g. Contoso")
	}
	domains := []string{strings.ToLower(t.Name) + ".onmicrosoft.com"}
	for i, d := range t.Domains {
		domains = append(domains, strings.ToLower(d))
		if !strings.Contains(d, ".") {
			p.add(fmt.Sprintf("tenant.domains[%d]", i), "%q is not a domain name like contoso.com", d)
		}
	}

	upns := map[string]int{}
	for i, u := range f.Users {
		at := fmt.Sprintf("users[%d]", i)
		key := strings.ToLower(u.UPN)
		_, domain, ok := strings.Cut(key, "@")
		switch {
		case u.UPN == "":
			p.add(at+".upn", "is required: the sign-in name, e.g. AdeleV@%s", domains[0])
			continue
		case !ok || domain == "":
			p.add(at+".upn", "%q must look like name@%s", u.UPN, domains[0])
		case !slices.Contains(domains, domain):
			p.add(at+".upn", "%q is not in a domain of this tenant; use @%s or add %s to tenant.domains", u.UPN, strings.Join(domains, " or @"), domain)
		}
		if j, dup := upns[key]; dup {
			p.add(at+".upn", "%q is also users[%d]; each user principal name can be used once", u.UPN, j)
		}
		upns[key] = i
		if strings.TrimSpace(u.DisplayName) == "" {
			p.add(at+".display_name", "is required, e.g. %q", "Adele Vance")
		}
		for name := range u.Attributes {
			if _, ok := userAttributes[name]; !ok {
				p.add(at+".attributes."+name, "is not a user attribute%s; the attributes are %s", yamlfile.Suggest(name, AttributeNames()), strings.Join(AttributeNames(), ", "))
			}
		}
	}
	groups := map[string]int{}
	for i, g := range f.Groups {
		at := fmt.Sprintf("groups[%d]", i)
		if strings.TrimSpace(g.Name) == "" {
			p.add(at+".name", "is required")
			continue
		}
		if j, dup := groups[strings.ToLower(g.Name)]; dup {
			p.add(at+".name", "%q is also groups[%d]; group names must be unique in the file", g.Name, j)
		}
		groups[strings.ToLower(g.Name)] = i
		for k, m := range g.Members {
			p.userRef(upns, fmt.Sprintf("%s.members[%d]", at, k), m)
		}
	}
	for i, u := range f.Users {
		at := fmt.Sprintf("users[%d]", i)
		if u.Manager != "" {
			p.userRef(upns, at+".manager", u.Manager)
		}
		for k, g := range u.Groups {
			p.groupRef(groups, fmt.Sprintf("%s.groups[%d]", at, k), g)
		}
	}

	apps := map[string]int{}
	builtin := -1
	for i, a := range f.Apps {
		at := fmt.Sprintf("apps[%d]", i)
		if strings.TrimSpace(a.Name) == "" {
			p.add(at+".name", "is required: the app's display name in Entra")
		} else if j, dup := apps[strings.ToLower(a.Name)]; dup {
			p.add(at+".name", "%q is also apps[%d]; app names must be unique in the file", a.Name, j)
		}
		apps[strings.ToLower(a.Name)] = i
		if a.RudderStack != nil {
			if builtin >= 0 {
				p.add(at+".rudderstack", "apps[%d] is already the built-in RudderStack; only one app can be", builtin)
			}
			builtin = i
			if a.RudderStack.OrgAdmin != "" {
				p.userRef(upns, at+".rudderstack.org_admin", a.RudderStack.OrgAdmin)
			}
			if a.Metadata != "" {
				p.add(at+".metadata", "the built-in RudderStack has its own SAML values; remove metadata or rudderstack")
			}
		}
		if a.RudderStack == nil && a.Metadata == "" {
			if len(a.SAML.Identifiers) == 0 {
				p.add(at+".saml.identifiers", "is required: add `- value: <your SP's entity ID>`, or give `metadata: <file or URL of its SAML metadata>`")
			}
			if len(a.SAML.ReplyURLs) == 0 {
				p.add(at+".saml.reply_urls", "is required: add `- url: <your SP's assertion consumer service URL>`, or give `metadata:`")
			}
		}
		for k, id := range a.SAML.Identifiers {
			if id.Value == "" {
				p.add(fmt.Sprintf("%s.saml.identifiers[%d].value", at, k), "is required: the SP's entity ID, exactly as its AuthnRequest's Issuer")
			}
		}
		for k, r := range a.SAML.ReplyURLs {
			if r.URL == "" {
				p.add(fmt.Sprintf("%s.saml.reply_urls[%d].url", at, k), "is required: the SP's assertion consumer service URL")
			}
		}
		if a.NameID != nil {
			p.source(at+".name_id.source", a.NameID.Source)
			p.oneOf(at+".name_id.format", a.NameID.Format, nameIDFormats)
		}
		for k, c := range a.Claims {
			cat := fmt.Sprintf("%s.claims[%d]", at, k)
			if c.Name == "" {
				p.add(cat+".name", "is required, e.g. Email")
			}
			p.source(cat+".source", c.Source)
		}
		if gc := a.GroupClaim; gc != nil {
			if gc.Groups == "" {
				p.add(at+".group_claim.groups", "is required: one of %s", strings.Join(groupChoices, ", "))
			}
			p.oneOf(at+".group_claim.groups", gc.Groups, groupChoices)
			p.oneOf(at+".group_claim.emit", gc.Emit, emitChoices)
			if gc.Emit == "names" && gc.Groups != "application" && slices.Contains(groupChoices, gc.Groups) {
				p.add(at+".group_claim.emit", "names are emitted only for groups assigned to the application, as in Entra (cloud-only group display names); set groups: application or emit: object_ids")
			}
		}
		p.oneOf(at+".signing.option", a.Signing.Option, signingOptions)
		p.oneOf(at+".signing.algorithm", a.Signing.Algorithm, algorithms)
		if a.Assigned != nil {
			for k, u := range a.Assigned.Users {
				p.userRef(upns, fmt.Sprintf("%s.assigned.users[%d]", at, k), u)
			}
			for k, g := range a.Assigned.Groups {
				p.groupRef(groups, fmt.Sprintf("%s.assigned.groups[%d]", at, k), g)
			}
		}
		if pr := a.Provisioning; pr != nil {
			pat := at + ".provisioning"
			if pr.SecretToken != "" && pr.SecretTokenEnv != "" {
				p.add(pat+".secret_token_env", "give the token either in secret_token or in secret_token_env, not both")
			}
			if pr.TenantURL == "" && a.RudderStack == nil && pr.Enabled {
				p.add(pat+".tenant_url", "is required before provisioning can be enabled: your SCIM server's base URL")
			}
			if pr.TenantURL != "" {
				if u, err := url.Parse(pr.TenantURL); err != nil || u.Host == "" {
					p.add(pat+".tenant_url", "%q is not an absolute URL like https://scim.example.com/scim/v2", pr.TenantURL)
				}
			}
			p.oneOf(pat+".scope", pr.Scope, scopes)
			if pr.Mappings != nil {
				for k, m := range pr.Mappings.Users {
					p.mapping(fmt.Sprintf("%s.mappings.users[%d]", pat, k), m)
				}
				for k, m := range pr.Mappings.Groups {
					p.mapping(fmt.Sprintf("%s.mappings.groups[%d]", pat, k), m)
				}
			}
		}
		if s := a.SignIn; s.StartURL != "" {
			if u, err := url.Parse(s.StartURL); err != nil || u.Host == "" {
				p.add(at+".sign_in.start_url", "%q is not an absolute URL", s.StartURL)
			}
		}
		if a.SignIn.Status != 0 && (a.SignIn.Status < 100 || a.SignIn.Status > 599) {
			p.add(at+".sign_in.status", "%d is not an HTTP status", a.SignIn.Status)
		}
	}
	return errors.Join(p.errs...)
}

func (p *problems) userRef(upns map[string]int, path, upn string) {
	if _, ok := upns[strings.ToLower(upn)]; !ok {
		p.add(path, "%q is not a user in this file; add it under users, or fix the name", upn)
	}
}

func (p *problems) groupRef(groups map[string]int, path, name string) {
	if _, ok := groups[strings.ToLower(name)]; !ok {
		p.add(path, "%q is not a group in this file; add it under groups, or fix the name", name)
	}
}

func (p *problems) source(path, src string) {
	switch {
	case src == "":
		p.add(path, "is required: a source attribute such as user.mail")
	case !entra.IsSourceAttribute(src):
		p.add(path, "%q is not a source attribute%s; choose one of %s", src, yamlfile.Suggest(src, entra.SourceAttributeNames()), strings.Join(entra.SourceAttributeNames(), ", "))
	}
}

func (p *problems) mapping(path string, m Mapping) {
	if m.Source == "" {
		p.add(path+".source", "is required: an Entra attribute such as userPrincipalName, a \"constant\" or an expression")
	}
	if m.Target == "" {
		p.add(path+".target", "is required: a SCIM attribute path such as userName")
	}
	p.oneOf(path+".apply", m.Apply, applyModes)
}

func validTenantName(s string) bool {
	if len(s) == 0 || len(s) > 27 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
