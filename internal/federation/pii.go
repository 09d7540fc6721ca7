package federation

import (
	"fmt"

	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// noteColumn holds the free text of interests and answers: a member or an
// owner may write a phone number or a name into it, so it is sealed at
// rest like the other personal data (package pii).
var noteColumn = pii.Column{Table: "federation_messages", Name: "note"}

// SealedColumns are the federation tables' columns holding personal data;
// the app's wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{noteColumn}

// sealNote seals a note for storage under q's keyring; without a keyring
// (tests of this package alone) it is stored as it is, as the job store
// does.
func sealNote(q sqldb.Querier, note string) (string, error) {
	k := pii.From(q)
	if k == nil {
		return note, nil
	}
	s, err := k.Seal(noteColumn, note)
	if err != nil {
		return "", fmt.Errorf("seal note: %w", err)
	}
	return s, nil
}

// openNote reads a stored note.
func openNote(q sqldb.Querier, stored string) (string, error) {
	return pii.From(q).Open(noteColumn, stored)
}
