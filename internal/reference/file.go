package reference

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"medconseil"
)

// File is one source file read and checked: every row has the header's column
// count, valid UTF-8 and a well-formed code.
type File struct {
	Source Source
	SHA256 string // of the bytes read
	Rows   []Row  // data rows, header excluded
}

// Row is one data row with the line it started on (the header is line 1).
type Row struct {
	Line   int
	Fields []string
}

// Get returns the field of row under column name, "" if absent.
func (f *File) Get(r Row, column string) string {
	for i, h := range f.Source.Header {
		if h == column {
			if i < len(r.Fields) {
				return r.Fields[i]
			}
			return ""
		}
	}
	return ""
}

// lineError is a French message naming the file, the line and the column.
func lineError(path string, line, col int, format string, args ...any) *medconseil.Error {
	where := fmt.Sprintf("fichier %s, ligne %d", path, line)
	if col > 0 {
		where += fmt.Sprintf(", colonne %d", col)
	}
	return &medconseil.Error{Code: medconseil.EINVALID, Message: where + " : " + fmt.Sprintf(format, args...)}
}

// Parse reads one source file from r. Any defect — wrong header, wrong column
// count, malformed quoting, invalid UTF-8, bad code — rejects the whole file with
// a French message giving the file, the line and the column.
func Parse(src Source, r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, medconseil.Internal(fmt.Errorf("read %s: %w", src.Path, err))
	}
	sum := sha256.Sum256(data)
	f := &File{Source: src, SHA256: hex.EncodeToString(sum[:])}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = src.Comma
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, lineError(src.Path, 1, 0, "fichier vide, en-tête attendu : %s", strings.Join(src.Header, string(src.Comma)))
		}
		return nil, csvError(src.Path, err)
	}
	for i, want := range src.Header {
		if i >= len(header) {
			return nil, lineError(src.Path, 1, i+1, "en-tête incomplet : colonne « %s » manquante", want)
		}
		if header[i] != want {
			return nil, lineError(src.Path, 1, i+1, "en-tête inattendu : « %s » trouvé, « %s » attendu", header[i], want)
		}
	}
	if len(header) > len(src.Header) {
		return nil, lineError(src.Path, 1, len(src.Header)+1, "en-tête inattendu : colonne « %s » en trop", header[len(src.Header)])
	}
	n := len(src.Header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(src.Path, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != n {
			col := n + 1
			if len(rec) < n {
				col = len(rec)
			}
			return nil, lineError(src.Path, line, col, "%d colonnes trouvées, %d attendues", len(rec), n)
		}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				l, c := cr.FieldPos(i)
				return nil, lineError(src.Path, l, c+invalidAt(v), "encodage invalide (UTF-8 attendu) dans la colonne %s", src.Header[i])
			}
		}
		if code := rec[src.Key]; !src.Code.MatchString(code) {
			l, c := cr.FieldPos(src.Key)
			return nil, lineError(src.Path, l, c, "code « %s » invalide dans la colonne %s", code, src.Header[src.Key])
		}
		f.Rows = append(f.Rows, Row{Line: line, Fields: rec})
	}
	return f, nil
}

// invalidAt returns the byte offset of the first invalid UTF-8 sequence of s.
func invalidAt(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := "ligne mal formée"
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			msg = "guillemet mal placé"
		}
		return lineError(path, pe.Line, pe.Column, "%s", msg)
	}
	return medconseil.Internal(fmt.Errorf("read %s: %w", path, err))
}

// ReadDir parses every source present under dir. Absent files are returned in
// missing, not as errors: the product works with what it has and says what it
// lacks. The first malformed file stops the reading.
func ReadDir(dir string) (files []*File, missing []Source, err error) {
	for _, src := range Sources() {
		p := filepath.Join(dir, filepath.FromSlash(src.Path))
		fh, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, src)
			continue
		}
		if err != nil {
			return nil, nil, medconseil.Internal(err)
		}
		f, err := Parse(src, fh)
		fh.Close()
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	return files, missing, nil
}
