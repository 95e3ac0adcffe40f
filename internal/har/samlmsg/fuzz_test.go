package samlmsg_test

import (
	"encoding/base64"
	"testing"

	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

// FuzzDecode feeds parameter values to the decoders: no input may panic,
// and whatever decodes must survive Parse and Redact.
func FuzzDecode(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString(deflate(requestXML())))
	f.Add(base64.StdEncoding.EncodeToString([]byte(responseXML(f, false))))
	f.Add(base64.StdEncoding.EncodeToString([]byte(responseXML(f, true)))[:300])
	f.Add(requestXML())
	f.Add("%3Csamlp%3A")
	f.Add("<Response><Assertion><Subject><NameID>x</NameID></Subject></Assertion></Response>")
	f.Add("REDACTED")
	f.Fuzz(func(t *testing.T, v string) {
		x, _, err := samlmsg.Decode(v)
		if err != nil && len(x) == 0 {
			return
		}
		if m, err := samlmsg.Parse(x); err == nil && m == nil {
			t.Fatal("Parse returned neither message nor error")
		}
		samlmsg.Redact(x, nil)
		samlmsg.RedactValue(v, nil)
	})
}
