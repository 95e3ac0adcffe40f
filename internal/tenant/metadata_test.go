package tenant

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/yamlfile"
)

func intp(i int) *int { return &i }

// SP metadata shaped like what common SAML libraries publish gives the
// values Entra's "Upload metadata file" takes from it.
func TestParseSPMetadataOfCommonLibraries(t *testing.T) {
	for _, tc := range []struct {
		file string
		want SPMetadata
		name string
	}{
		{"node-saml.xml", SPMetadata{EntityID: "https://node-app.example.com/saml/metadata",
			ReplyURLs: []ReplyURL{{URL: "http://localhost:3000/login/callback", Index: intp(1), Default: true}},
			LogoutURL: "http://localhost:3000/logout/callback"}, "node-app.example.com/saml/metadata"},
		{"python3-saml.xml", SPMetadata{EntityID: "http://localhost:8000/metadata/",
			ReplyURLs: []ReplyURL{{URL: "http://localhost:8000/?acs", Index: intp(1)}},
			LogoutURL: "http://localhost:8000/?sls"}, "localhost:8000/metadata"},
		{"crewjam-samlsp.xml", SPMetadata{EntityID: "https://go-app.example.com/saml/metadata",
			ReplyURLs: []ReplyURL{{URL: "https://go-app.example.com/saml/acs", Index: intp(1)}},
			LogoutURL: "https://go-app.example.com/saml/slo"}, "go-app.example.com/saml/metadata"},
		{"spring-security-saml.xml", SPMetadata{EntityID: "http://localhost:8080/saml2/service-provider-metadata/entra",
			ReplyURLs: []ReplyURL{{URL: "http://localhost:8080/login/saml2/sso/entra", Index: intp(1)}},
			LogoutURL: "http://localhost:8080/logout/saml2/slo"}, "localhost:8080/saml2/service-provider-metadata/entra"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "spmetadata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseSPMetadata(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if got.Name() != tc.name {
				t.Errorf("name %q, want %q", got.Name(), tc.name)
			}
		})
	}
}

func TestParseSPMetadataRefusesWhatIsNotAnSP(t *testing.T) {
	idp, _ := os.ReadFile(filepath.Join("testdata", "spmetadata", "idp.xml"))
	for _, tc := range []struct{ doc, want string }{
		{string(idp), "it describes an identity provider, not a service provider"},
		{"<html><body>login</body></html>", "the root element is <html>, not an md:EntityDescriptor"},
		{"", "no XML element found"},
		{`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor><AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://x/acs"/></SPSSODescriptor></EntityDescriptor>`,
			"no AssertionConsumerService with the HTTP-POST binding"},
	} {
		if _, err := ParseSPMetadata([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40q: got %v, want %q", tc.doc, err, tc.want)
		}
	}
}

// An app from metadata gets the SP's values, the guide's claims and the
// guide's app's users and groups: the demo users behave on it as on
// RudderStack.
func TestApplyAppsFromMetadata(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"node-saml.xml", "spring-security-saml.xml"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "spmetadata", name))
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	text := string(DemoYAML()) + `  - name: Node app
    metadata: node-saml.xml
  - name: Spring app
    metadata: spring-security-saml.xml
    claims: [{name: mail, source: user.mail}]
    assigned: {users: [AlexW@contoso.onmicrosoft.com]}
`
	path := filepath.Join(dir, "tenant.yaml")
	os.WriteFile(path, []byte(text), 0o644)
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := openDir(t, "")
	got, err := Apply(ctx, d, f, Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	node, _ := got.App("Node app")
	guide, _ := got.Builtin()
	if node.DefaultIdentifier() != "https://node-app.example.com/saml/metadata" || node.DefaultReplyURL() != "http://localhost:3000/login/callback" ||
		node.SAML.LogoutURL != "http://localhost:3000/logout/callback" || *node.SAML.ReplyURLs[0].Index != 1 {
		t.Errorf("Node app SAML %+v", node.SAML)
	}
	if !reflect.DeepEqual(node.Claims, guide.Claims) || node.NameID != guide.NameID {
		t.Errorf("Node app claims %+v, want the guide's %+v", node.Claims, guide.Claims)
	}
	for _, u := range got.Users {
		if !u.Exists || u.ObjectID == "" {
			continue
		}
		onNode, _ := d.IsAssigned(ctx, node.AppID, u.ObjectID)
		if onNode != u.Assigned {
			t.Errorf("%s: assigned to the Node app %v, to RudderStack %v", u.UPN, onNode, u.Assigned)
		}
	}
	spring, _ := got.App("Spring app")
	alex := got.Users[2]
	if ok, _ := d.IsAssigned(ctx, spring.AppID, alex.ObjectID); !ok || len(spring.Claims) != 1 {
		t.Errorf("the Spring app's own claims and assignments were not kept: %+v", spring.Claims)
	}

	// --sp-metadata adds an app named after the entity ID.
	m, _ := ParseSPMetadata(mustRead(t, filepath.Join(dir, "node-saml.xml")))
	if name := f.AddMetadataApp(filepath.Join(dir, "node-saml.xml"), m); name != "node-app.example.com/saml/metadata" {
		t.Errorf("added as %q", name)
	}
	if name := f.AddMetadataApp(filepath.Join(dir, "node-saml.xml"), m); name != "node-app.example.com/saml/metadata (2)" {
		t.Errorf("added twice as %q", name)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A metadata reference that can't be read, or isn't an SP's, is an error
// on the app's metadata field.
func TestApplyMetadataErrors(t *testing.T) {
	dir := t.TempDir()
	idp, _ := os.ReadFile(filepath.Join("testdata", "spmetadata", "idp.xml"))
	os.WriteFile(filepath.Join(dir, "idp.xml"), idp, 0o644)
	for _, tc := range []struct{ ref, want string }{
		{"missing.xml", "apps[1].metadata: read the metadata file: open " + filepath.Join(dir, "missing.xml")},
		{"idp.xml", "apps[1].metadata: idp.xml: the metadata has no SPSSODescriptor"},
	} {
		path := filepath.Join(dir, "tenant.yaml")
		os.WriteFile(path, []byte(string(DemoYAML())+"  - name: X\n    metadata: "+tc.ref+"\n"), 0o644)
		f, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(context.Background(), openDir(t, ""), f, Options{RudderStack: rehearsal})
		var fe *yamlfile.Error
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || fe.Line == 0 {
			t.Errorf("%s: got %v, want %q with a line", tc.ref, err, tc.want)
		}
	}
}
