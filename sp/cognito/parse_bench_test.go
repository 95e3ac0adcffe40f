package cognito

import (
	"context"
	"net/url"
	"testing"

	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

func BenchmarkValidate(b *testing.B) {
	f := newFixture(b, nil)
	ctx := context.Background()
	prov, err := f.pool.provider(ctx, f.org)
	if err != nil {
		b.Fatal(err)
	}
	acs, _ := url.Parse(f.pool.ACSURL())
	sp := *prov.sp
	sp.ReplayCache = nil
	docs := make([][]byte, 0, 64)
	for range 64 {
		doc, err := f.idp.Build(samltest.Response{InResponseTo: "_req", ACS: f.pool.ACSURL(), Audience: f.pool.EntityID(),
			NameID: "alice@contoso.com", SignAssertion: true,
			Attrs: []samltest.Attr{{Name: "Email", Values: []string{"alice@contoso.com"}}, {Name: "LastName", Values: []string{"Alice Example"}}}})
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, doc)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := sp.ParseXMLResponse(docs[i%len(docs)], []string{"_req"}, *acs); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
