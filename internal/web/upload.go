package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/job"
	"kechuang/internal/sheet"
)

// readUpload reads the spreadsheet posted in the "file" field. A missing
// file, a type other than .xlsx or .csv, or one over maxUploadBytes is an
// apperr.Invalid with the status the page should answer; other errors are
// the server's.
func readUpload(r *http.Request) (name string, body []byte, status int, err error) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, http.StatusUnprocessableEntity, apperr.New(apperr.Invalid, "import.no_file")
	}
	defer file.Close()
	if ext := strings.ToLower(filepath.Ext(hdr.Filename)); ext != ".xlsx" && ext != ".csv" {
		return "", nil, http.StatusUnprocessableEntity, apperr.New(apperr.Invalid, "import.bad_type")
	}
	body, err = io.ReadAll(io.LimitReader(file, maxUploadBytes+1))
	if err != nil {
		return "", nil, http.StatusInternalServerError, err
	}
	if len(body) > maxUploadBytes {
		return "", nil, http.StatusRequestEntityTooLarge, apperr.New(apperr.Invalid, "import.too_large", maxUploadBytes>>20)
	}
	return filepath.Base(hdr.Filename), body, http.StatusOK, nil
}

// importJob loads the job {id} of kind for the actor with its result
// decoded into T, answering the request itself when that fails.
func importJob[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string) (*job.Job, *T, bool) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, false
	}
	j, err := s.Jobs.Get(r.Context(), state(r).actor.Audit(), id)
	if err == nil && j.Kind != kind {
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, false
	}
	var res *T
	if len(j.Result) > 0 {
		res = new(T)
		if err := json.Unmarshal(j.Result, res); err != nil {
			s.writeError(w, r, err)
			return nil, nil, false
		}
	}
	return &j, res, true
}

// sendImportErrors sends the problems of the import job {id} of kind as an
// .xlsx error report (行号, 列, 原因) named prefix-<id>.xlsx.
func sendImportErrors[T any](s *Server, w http.ResponseWriter, r *http.Request, kind, prefix string, problems func(*T) []sheet.Problem) {
	j, res, ok := importJob[T](s, w, r, kind)
	if !ok {
		return
	}
	if res == nil {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	var buf bytes.Buffer
	if err := sheet.WriteErrorReport(&buf, problems(res)); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, prefix+"-"+strconv.FormatInt(j.ID, 10)+".xlsx", buf.Bytes())
}
