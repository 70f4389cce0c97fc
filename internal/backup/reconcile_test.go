package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// TestReconcileAfterCrash sets up, by hand, each state a crash can leave
// and checks that a rerun ends with exactly one file per message and a
// clean deep verify.
func TestReconcileAfterCrash(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Corpus/dkimpy"}}
	runBackup(t, opts)
	mbDir := filepath.Join(dir, EscapeName(acct.Name), "Corpus", "dkimpy")
	man, _ := readManifest(mbDir, false)
	uids := sortedUIDs(man.Messages)
	if len(uids) < 4 {
		t.Fatalf("only %d messages", len(uids))
	}
	manifestPath := filepath.Join(mbDir, ManifestFileName)
	lines, _ := os.ReadFile(manifestPath)

	// 1. A file whose manifest line never made it: drop the last line.
	all := strings.SplitAfter(string(lines), "\n")
	last := uids[len(uids)-1]
	unrecorded := uids[2] // not the last: "UID n:*" would bring the last back anyway
	kept := ""
	for _, l := range all {
		if !strings.Contains(l, `"uid":`+itoa(unrecorded)+`,`) {
			kept += l
		}
	}
	// 2. A torn last line.
	kept += `{"op":"stored","uid":99`
	os.WriteFile(manifestPath, []byte(kept), 0o600)
	// 3. A manifest line whose file is gone.
	lost := man.Messages[uids[0]]
	os.Remove(filepath.Join(mbDir, lost.File))
	// 4. A file renamed for new flags before the manifest said so.
	moved := man.Messages[uids[1]]
	newRel := maildirRename(moved.File, append(moved.Flags, `\Answered`))
	os.Rename(filepath.Join(mbDir, moved.File), filepath.Join(mbDir, newRel))
	// 5. A half-written message in tmp/ and a state temp file.
	os.WriteFile(filepath.Join(mbDir, "tmp", "1.M1P1.host"), []byte("Subject: half"), 0o600)
	os.WriteFile(filepath.Join(mbDir, ".tmp-"+StateFileName+"-123"), []byte("{"), 0o600)
	// The state says the last message was seen, as after a crash between
	// the manifest and the state of a later batch.
	st, _, _ := readState(mbDir)
	st.LastUID = last
	writeState(mbDir, st, nil)

	sum := runBackup(t, opts)
	if sum.NewMessages != 2 { // the unrecorded one and the lost one
		t.Errorf("rerun fetched %d messages, want 2 (unrecorded + lost file)", sum.NewMessages)
	}
	verifyClean(t, dir, acct)
	files, _ := messageFiles(FormatMaildir, mbDir)
	for _, uid := range uids {
		if len(files[uid]) != 1 {
			t.Errorf("UID %d has files %v, want exactly one", uid, files[uid])
		}
	}
	man, _ = readManifest(mbDir, false)
	if man.Messages[uids[1]].File != newRel {
		t.Errorf("renamed file not adopted: manifest says %s, file is %s", man.Messages[uids[1]].File, newRel)
	}
	if tmp, _ := os.ReadDir(filepath.Join(mbDir, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ still holds %d files", len(tmp))
	}
	_ = context.Background
}
