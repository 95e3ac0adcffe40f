package tenant

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/ssowiz/ssowiz/internal/buildid"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Source is a tenant file as read, before it is parsed, with the apps
// `serve --sp-metadata` adds to it. A restart on a kept directory that
// holds this file, applied with the same inputs, does not need it parsed
// (see Load); everything else asks File.
type Source struct {
	name string
	data []byte
	// sum is the SHA-256 of data in hex: File.Digest.
	sum string
	// extra are the SP metadata documents added beside the file's apps,
	// by reference (an absolute path or a URL).
	extra []extraApp

	// given marks a file its caller parsed (SourceOf).
	given bool

	once   sync.Once
	parsed *File
	err    error
}

type extraApp struct {
	ref string
	m   SPMetadata
}

// ReadSource reads a tenant file without parsing it. A file that cannot
// be read, or is larger than a tenant file may be, is an error now;
// problems with its content are File's (or Load's) errors.
func ReadSource(path string) (*Source, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the tenant file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return newSource(data, path), nil
}

// DemoSource is the guide's demo tenant as a Source.
func DemoSource() *Source { return newSource(demoFile, DemoName) }

// SourceOf is a file its caller has already parsed (and may have changed,
// as WithGuideApp does), as a Source.
func SourceOf(f *File) *Source {
	s := &Source{name: f.name, parsed: f, given: true}
	s.once.Do(func() {})
	return s
}

func newSource(data []byte, name string) *Source {
	sum := sha256.Sum256(data)
	return &Source{name: name, data: data, sum: hex.EncodeToString(sum[:])}
}

// Name is the file's name as given.
func (s *Source) Name() string { return s.name }

// Digest is the SHA-256 (in hex) of the file as read, before any
// --sp-metadata app: File.Digest of the parsed file.
func (s *Source) Digest() string {
	if s.given {
		return s.parsed.Digest()
	}
	return s.sum
}

// AddMetadataApp adds an app made from an SP's metadata, as
// File.AddMetadataApp does once the file is parsed. ref is where the
// metadata is read again at each start: a URL or an absolute path.
func (s *Source) AddMetadataApp(ref string, m SPMetadata) {
	s.extra = append(s.extra, extraApp{ref: ref, m: m})
	if s.parsed != nil {
		s.parsed.AddMetadataApp(ref, m)
	}
}

// key identifies the file's content and the apps added to it, as the
// parsed File's own digest (File.sum) does.
func (s *Source) key() string {
	if s.given {
		return s.parsed.sum
	}
	k := s.sum
	for _, x := range s.extra {
		k += "+" + x.ref
	}
	return k
}

// dir is the directory the file's relative metadata references are read
// from; "" for the demo tenant.
func (s *Source) dir() string {
	if s.name == DemoName {
		return ""
	}
	return filepath.Dir(s.name)
}

// File parses and validates the file (once) and adds the --sp-metadata
// apps. Its errors are *yamlfile.Error naming the file, line and field.
func (s *Source) File() (*File, error) {
	s.once.Do(func() {
		s.parsed, s.err = parse(s.data, s.name)
		if s.err != nil && s.name == DemoName {
			s.err = fmt.Errorf("the embedded demo tenant is invalid: %w", s.err)
		}
		if s.err != nil {
			return
		}
		for _, x := range s.extra {
			s.parsed.AddMetadataApp(x.ref, x.m)
		}
	})
	return s.parsed, s.err
}

// CacheKey names the tenant this source makes in a cache of in-memory
// starts (internal/tenantcache): the file's content with its
// --sp-metadata apps, and this build of ssowiz. What a start reads besides
// (the metadata documents, the variables) is checked after the restore,
// as on a kept directory.
//
// Unlike a kept directory's digest, it covers the build: an entry holds
// nothing made at run time, so another build (which may parse, validate
// or apply the file differently) just applies it again.
func (s *Source) CacheKey() string { return s.cacheKey(buildid.Self()) }

func (s *Source) cacheKey(build string) string {
	h := sha256.New()
	fmt.Fprintf(h, "tenant cache\nsource %s\nschema %d apply %d build %s\n", s.key(), directory.SchemaVersion(), applyVersion, build)
	return hex.EncodeToString(h.Sum(nil))
}
