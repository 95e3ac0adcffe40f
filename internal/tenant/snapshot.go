package tenant

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// snapshot is what an apply made, kept in the directory beside the
// file's digest so a restart with the same file and inputs serves it
// without parsing the file or reading ten thousand users back.
type snapshot struct {
	// Digest is the digest of the file and inputs it was made from; a
	// snapshot is used only under that same digest.
	Digest string `json:"digest"`
	// Seq is the directory's change sequence when it was taken: a
	// directory whose sequence moved on since (a user edited, deleted,
	// reassigned, or given another password at run time) has its users
	// read again.
	Seq int64 `json:"seq"`
	// TenantDomain and Domains are the tenant the file names.
	TenantDomain string   `json:"tenant_domain"`
	Domains      []string `json:"domains"`
	// BuiltinID is the built-in app's app ID; "" when the file has none.
	BuiltinID string        `json:"builtin_id"`
	Apps      []snapshotApp `json:"apps"`
	// Users are kept apart, in a compact form: JSON for ten thousand
	// users costs more to decode than the rest of a restart.
	Users []snapshotUser `json:"-"`
}

// snapshotApp is an app of the file: its ID in the directory and its
// spec.
type snapshotApp struct {
	AppID   string `json:"app_id"`
	Builtin bool   `json:"builtin"`
	Spec    App    `json:"spec"`
}

// snapshotUser is a user of the file (what reading it back needs) and
// what the directory held for it.
type snapshotUser struct {
	// File is the user as the file gives it: Password is the file's
	// password, empty when one is generated.
	File fileUser
	// Applied is the user as the directory holds it.
	Applied AppliedUser
}

// fileUser is what reading a file's user back needs of the file.
type fileUser struct {
	UPN, DisplayName, Note, Password string
	OrgAdmin                         bool
}

// snapshotMagic starts every encoded snapshot; a new layout gets a new
// one, so an old record is never misread.
const snapshotMagic = "ssowiz-tenant-snapshot/1\n"

// encode lays the snapshot out as the magic, the JSON header's length
// and the header, the users, and a SHA-256 of all that: a record that was
// cut short or changed is refused, not trusted.
func (s *snapshot) encode() ([]byte, error) {
	head, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode the applied tenant: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(snapshotMagic)
	b.Write(binary.AppendUvarint(nil, uint64(len(head))))
	b.Write(head)
	b.Write(binary.AppendUvarint(nil, uint64(len(s.Users))))
	var buf []byte
	for _, u := range s.Users {
		buf = buf[:0]
		a := u.Applied
		for _, str := range []string{u.File.UPN, u.File.DisplayName, u.File.Note, u.File.Password, a.ObjectID, a.UPN, a.DisplayName, a.Password} {
			buf = binary.AppendUvarint(buf, uint64(len(str)))
			buf = append(buf, str...)
		}
		var flags byte
		for i, f := range []bool{u.File.OrgAdmin, a.Exists, a.Enabled, a.HasMail, a.Assigned} {
			if f {
				flags |= 1 << i
			}
		}
		b.Write(append(buf, flags))
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes(), nil
}

// errBadSnapshot is a record that is not a whole snapshot.
var errBadSnapshot = errors.New("the applied tenant's record is damaged")

// decodeSnapshot reads what encode wrote. The users' strings share one
// copy of the record instead of one allocation each.
func decodeSnapshot(rec string) (*snapshot, error) {
	if len(rec) < len(snapshotMagic)+sha256.Size || rec[:len(snapshotMagic)] != snapshotMagic {
		return nil, errBadSnapshot
	}
	body := rec[:len(rec)-sha256.Size]
	if sum := sha256.Sum256([]byte(body)); string(sum[:]) != rec[len(body):] {
		return nil, errBadSnapshot
	}
	r := reader{s: body, i: len(snapshotMagic)}
	var s snapshot
	head := r.str()
	if r.err != nil || json.Unmarshal([]byte(head), &s) != nil {
		return nil, errBadSnapshot
	}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(body)) {
		return nil, errBadSnapshot
	}
	s.Users = make([]snapshotUser, n)
	for k := range s.Users {
		u := &s.Users[k]
		u.File = fileUser{UPN: r.str(), DisplayName: r.str(), Note: r.str(), Password: r.str()}
		a := &u.Applied
		a.ObjectID, a.UPN, a.DisplayName, a.Password = r.str(), r.str(), r.str(), r.str()
		a.Note = u.File.Note
		flags := r.byte()
		u.File.OrgAdmin, a.OrgAdmin = flags&1 != 0, flags&1 != 0
		a.Exists, a.Enabled, a.HasMail, a.Assigned = flags&2 != 0, flags&4 != 0, flags&8 != 0, flags&16 != 0
	}
	if r.err != nil || r.i != len(body) {
		return nil, errBadSnapshot
	}
	return &s, nil
}

// reader reads encode's fields from a string, remembering the first
// error.
type reader struct {
	s   string
	i   int
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var x uint64
	for shift := 0; ; shift += 7 {
		if r.i >= len(r.s) || shift > 63 {
			r.err = errBadSnapshot
			return 0
		}
		c := r.s[r.i]
		r.i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.s)-r.i) {
		r.err = errBadSnapshot
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

func (r *reader) byte() byte {
	if r.err != nil || r.i >= len(r.s) {
		r.err = errBadSnapshot
		return 0
	}
	c := r.s[r.i]
	r.i++
	return c
}
