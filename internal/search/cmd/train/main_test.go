package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"kechuang/internal/search/classify"
)

// TestTrainingReproducesTheShippedModel: the command writes, byte for
// byte, the artefact the binary embeds — the issue's "reproducible
// training with a command", kept true by every change to the classifier.
func TestTrainingReproducesTheShippedModel(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "model.bin.gz")
	if err := run(out, false, classify.TrainOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(filepath.Join("..", "..", "classify", "modeldata", "model.bin.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, shipped) {
		t.Errorf("training wrote %d bytes that differ from the shipped %d; run `go run ./internal/search/cmd/train` and commit the artefact",
			len(got), len(shipped))
	}
}
