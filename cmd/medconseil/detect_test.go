package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDetectFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"detect"}, "--data est obligatoire", 2},
		{[]string{"detect", "eval"}, "--data est obligatoire", 2},
		{[]string{"detect", "--data", t.TempDir(), "--budget", "3"}, "--budget 3 invalide", 2},
		{[]string{"detect", "--data", t.TempDir()}, "ER_PRS_F.parquet introuvable", 1},
		{[]string{"detect", "eval", "--data", t.TempDir()}, "ground_truth.json illisible", 1},
		{[]string{"detect", "regles"}, "--data est obligatoire", 2},
		{[]string{"detect", "regles", "--data", t.TempDir(), "--regle", "nimporte"}, "--regle \"nimporte\" inconnue", 2},
		{[]string{"detect", "regles", "--data", t.TempDir()}, "ER_PRS_F.parquet introuvable", 1},
	} {
		e, _, _ := synthEnv("")
		err := run(context.Background(), e, tc.args)
		if err == nil || !strings.Contains(message(err), tc.want) || exitCode(err) != tc.code {
			t.Errorf("%v : %v (code %d), attendu %q (code %d)", tc.args, err, exitCode(err), tc.want, tc.code)
		}
		var u usageErr
		if tc.code == 2 && !errors.As(err, &u) {
			t.Errorf("%v : pas une erreur d'usage", tc.args)
		}
	}
}
