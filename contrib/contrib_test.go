// Package contrib holds files for running imapctl under existing
// schedulers (systemd, Kubernetes); its test checks them.
package contrib

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// TestSystemdUnitsVerify runs systemd-analyze verify on the service and
// timer (instantiated for an account "work"), with imapctl's path pointed
// at an existing program. A deliberately broken copy must fail, so that a
// verify that checks nothing does not pass.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	run := func(dir string) (string, error) {
		c := exec.Command(analyze, "verify", "--man=no", "./imapctl-backup@work.service", "./imapctl-backup@work.timer")
		c.Dir = dir
		out, err := c.CombinedOutput()
		return string(out), err
	}
	write := func(mutate func(string) string) string {
		dir := t.TempDir()
		for _, kind := range []string{"service", "timer"} {
			data, err := os.ReadFile(filepath.Join("systemd", "imapctl-backup@."+kind))
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(data), "/usr/local/bin/imapctl", "/bin/true")
			if kind == "service" {
				text = mutate(text)
			}
			if err := os.WriteFile(filepath.Join(dir, "imapctl-backup@work."+kind), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	if out, err := run(write(func(s string) string { return s })); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify = %v\n%s", err, out)
	}
	broken := write(func(s string) string { return strings.Replace(s, "Type=oneshot", "Type=oneshot-typo", 1) })
	if out, err := run(broken); err == nil && !strings.Contains(out, "oneshot-typo") {
		t.Fatalf("systemd-analyze verify accepted a broken unit:\n%s", out)
	}
	timer, _ := os.ReadFile(filepath.Join("systemd", "imapctl-backup@.timer"))
	service, _ := os.ReadFile(filepath.Join("systemd", "imapctl-backup@.service"))
	for _, want := range []string{"Persistent=true", "OnCalendar="} {
		if !bytes.Contains(timer, []byte(want)) {
			t.Errorf("timer lacks %s", want)
		}
	}
	for _, want := range []string{"--quiet", "--account %i", "flock"} {
		if !bytes.Contains(service, []byte(want)) {
			t.Errorf("service lacks %s", want)
		}
	}
}

// TestKubernetesCronJob reads the CronJob manifest as YAML and checks what
// the README promises: no overlapping runs, the config from a Secret, the
// backup on a volume, one account per job, quiet.
func TestKubernetesCronJob(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("kubernetes", "imapctl-backup-cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cron *viper.Viper
	for _, doc := range strings.Split(string(data), "\n---\n") {
		v := viper.New()
		v.SetConfigType("yaml")
		if err := v.ReadConfig(strings.NewReader(doc)); err != nil {
			t.Fatalf("YAML: %v", err)
		}
		if v.GetString("kind") == "CronJob" {
			cron = v
		}
	}
	if cron == nil {
		t.Fatal("no CronJob in the manifest")
	}
	if got := cron.GetString("spec.concurrencypolicy"); got != "Forbid" {
		t.Errorf("concurrencyPolicy = %q, want Forbid", got)
	}
	pod := cron.Sub("spec.jobtemplate.spec.template.spec")
	if pod == nil {
		t.Fatal("no pod spec")
	}
	containers, _ := pod.Get("containers").([]any)
	if len(containers) != 1 {
		t.Fatalf("containers = %v", pod.Get("containers"))
	}
	c := containers[0].(map[string]any)
	var args []string
	for _, a := range c["args"].([]any) {
		args = append(args, a.(string))
	}
	joined := strings.Join(args, " ")
	for _, want := range []string{"backup", "--quiet", "--account=", "--out=/backups", "--config=/etc/imapctl/config.yaml"} {
		if !strings.Contains(joined, want) {
			t.Errorf("args %q lack %s", joined, want)
		}
	}
	volumes, _ := pod.Get("volumes").([]any)
	var secret, claim bool
	for _, v := range volumes {
		m := v.(map[string]any)
		if _, ok := m["persistentvolumeclaim"]; ok {
			claim = true
		}
		if _, ok := m["secret"]; ok {
			secret = true
		}
	}
	if !secret || !claim {
		t.Errorf("volumes %v: want a Secret (config) and a PersistentVolumeClaim (backups)", volumes)
	}
}
