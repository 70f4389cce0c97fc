package cmd

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Settings are the connection settings of one run, resolved from flags,
// IMAPCTL_* environment variables, the config file and defaults, in that
// order of precedence.
type Settings struct {
	// ConfigFile is the config file that was read, or "" when none was.
	ConfigFile string
	// Account is the named account in use, or "" for the top-level keys.
	Account string

	Host     string
	Port     int
	User     string
	TLS      string // implicit, starttls or none
	CAFile   string
	Insecure bool
	// Auth is the authentication mechanism; "" lets the client choose.
	Auth        string
	Timeout     time.Duration
	PasswordCmd string
	TokenCmd    string
	Debug       int
	// Compress is when to turn on COMPRESS=DEFLATE (RFC 4978) after
	// login: auto, always or never (see compressModes).
	Compress string

	// Policy is the policy spec from --policy, IMAPCTL_POLICY or the
	// config's policy key; "" when none was given.
	Policy string
	// Policies are the named policies of the config file (names lowercased).
	Policies map[string]string
}

// TLS modes accepted by --tls.
var tlsModes = []string{"implicit", "starttls", "none"}

// Compression modes accepted by --compress: auto uses COMPRESS=DEFLATE
// (RFC 4978) when the server offers it and is not on a loopback address
// (where compressing only costs CPU); always requires it; never skips it.
var compressModes = []string{"auto", "always", "never"}

// Authentication mechanisms accepted by --auth.
var authMechanisms = []string{"login", "plain", "cram-md5", "xoauth2", "oauthbearer"}

// connectionKeys are the per-account keys of the config file, each with its
// flag and environment variable (IMAPCTL_ + upper-cased key).
var connectionKeys = []struct{ key, flag string }{
	{"host", "host"},
	{"port", "port"},
	{"user", "user"},
	{"tls", "tls"},
	{"ca_file", "ca-file"},
	{"insecure", "insecure"},
	{"auth", "auth"},
	{"timeout", "timeout"},
	{"password_cmd", "password-cmd"},
	{"token_cmd", "token-cmd"},
	{"debug", "debug"},
	{"compress", "compress"},
	{"policy", "policy"},
}

// defaultConfigPath is $XDG_CONFIG_HOME/imapctl/config.yaml, falling back
// to ~/.config as the XDG base directory specification says.
func defaultConfigPath(lookupEnv func(string) (string, bool)) string {
	if dir, ok := lookupEnv("XDG_CONFIG_HOME"); ok && filepath.IsAbs(dir) {
		return filepath.Join(dir, "imapctl", "config.yaml")
	}
	home, ok := lookupEnv("HOME")
	if !ok || home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "imapctl", "config.yaml")
}

// settingsResolver resolves each key through the precedence chain.
type settingsResolver struct {
	flags     *pflag.FlagSet
	lookupEnv func(string) (string, bool)
	file      *viper.Viper // nil when no config file was read
	account   string
}

// lookup returns the value of key and where it came from, for messages.
func (r *settingsResolver) lookup(key, flag string) (value, source string, ok bool) {
	if fl := r.flags.Lookup(flag); fl != nil && fl.Changed {
		return fl.Value.String(), "--" + flag, true
	}
	envName := "IMAPCTL_" + strings.ToUpper(key)
	if v, ok := r.lookupEnv(envName); ok && v != "" {
		return v, envName, true
	}
	if r.file != nil {
		if r.account != "" {
			k := "accounts." + r.account + "." + key
			if r.file.IsSet(k) {
				return r.file.GetString(k), "config " + k, true
			}
		}
		if r.file.IsSet(key) {
			return r.file.GetString(key), "config " + key, true
		}
	}
	if fl := r.flags.Lookup(flag); fl != nil {
		return fl.DefValue, "default", false
	}
	return "", "default", false
}

// readConfigFile reads the YAML config file at path with v. A missing
// default file is not an error; a missing explicit one is.
func readConfigFile(v *viper.Viper, path string, explicit bool, ios *IOStreams) (bool, error) {
	if path == "" {
		return false, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return false, nil
		}
		return false, usageErrorf("config file: %v", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		ios.Warnf("config file %s is accessible by others (mode %04o)", path, info.Mode().Perm())
		ios.Hintf("chmod 600 %s", path)
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return false, usageErrorf("config file %s: %v", path, err)
	}
	return true, nil
}

// resolveSettings builds the Settings of one run.
func resolveSettings(flags *pflag.FlagSet, lookupEnv func(string) (string, bool), v *viper.Viper, ios *IOStreams) (*Settings, error) {
	s := &Settings{}
	configPath, explicit := "", false
	if fl := flags.Lookup("config"); fl != nil && fl.Changed {
		configPath, explicit = fl.Value.String(), true
	} else if p, ok := lookupEnv("IMAPCTL_CONFIG"); ok && p != "" {
		configPath, explicit = p, true
	} else {
		configPath = defaultConfigPath(lookupEnv)
	}
	configPath = expandHome(configPath, lookupEnv)
	read, err := readConfigFile(v, configPath, explicit, ios)
	if err != nil {
		return nil, err
	}
	r := &settingsResolver{flags: flags, lookupEnv: lookupEnv}
	if read {
		s.ConfigFile = configPath
		r.file = v
	}

	// The account: --account > IMAPCTL_ACCOUNT > default_account > the
	// only account of the file.
	account, _, _ := r.lookup("account", "account")
	var accounts []string
	if r.file != nil {
		for name := range r.file.GetStringMap("accounts") {
			accounts = append(accounts, name)
		}
		sort.Strings(accounts)
		if account == "" {
			account = r.file.GetString("default_account")
		}
		if account == "" && len(accounts) == 1 {
			account = accounts[0]
		}
	}
	if account != "" {
		account = strings.ToLower(account) // viper lower-cases keys
		found := false
		for _, a := range accounts {
			found = found || a == account
		}
		if !found {
			if len(accounts) == 0 {
				return nil, usageErrorf("unknown account %q: no accounts in the config file", account)
			}
			return nil, usageErrorf("unknown account %q (accounts: %s)", account, strings.Join(accounts, ", "))
		}
		r.account = account
	}
	s.Account = account

	get := func(key, flag string) (string, string) {
		value, source, _ := r.lookup(key, flag)
		return value, source
	}
	s.Host, _ = get("host", "host")
	s.User, _ = get("user", "user")
	s.CAFile, _ = get("ca_file", "ca-file")
	s.CAFile = expandHome(s.CAFile, lookupEnv)
	s.PasswordCmd, _ = get("password_cmd", "password-cmd")
	s.TokenCmd, _ = get("token_cmd", "token-cmd")
	s.Policy, _ = get("policy", "policy")

	tlsMode, source := get("tls", "tls")
	s.TLS = strings.ToLower(tlsMode)
	if !contains(tlsModes, s.TLS) {
		return nil, usageErrorf("%s: bad TLS mode %q (want %s)", source, tlsMode, strings.Join(tlsModes, ", "))
	}
	compress, source := get("compress", "compress")
	s.Compress = strings.ToLower(compress)
	if !contains(compressModes, s.Compress) {
		return nil, usageErrorf("%s: bad compression mode %q (want %s)", source, compress, strings.Join(compressModes, ", "))
	}
	auth, source := get("auth", "auth")
	s.Auth = strings.ToLower(auth)
	if s.Auth != "" && !contains(authMechanisms, s.Auth) {
		return nil, usageErrorf("%s: bad authentication mechanism %q (want %s)", source, auth, strings.Join(authMechanisms, ", "))
	}
	port, source := get("port", "port")
	if s.Port, err = strconv.Atoi(port); err != nil || s.Port < 0 || s.Port > 65535 {
		return nil, usageErrorf("%s: bad port %q", source, port)
	}
	if s.Port == 0 {
		s.Port = 993
		if s.TLS != "implicit" {
			s.Port = 143
		}
	}
	insecure, source := get("insecure", "insecure")
	if s.Insecure, err = strconv.ParseBool(insecure); err != nil {
		return nil, usageErrorf("%s: bad boolean %q", source, insecure)
	}
	timeout, source := get("timeout", "timeout")
	if s.Timeout, err = time.ParseDuration(timeout); err != nil || s.Timeout < 0 {
		return nil, usageErrorf("%s: bad duration %q (e.g. 30s, 2m)", source, timeout)
	}
	debug, source := get("debug", "debug")
	if s.Debug, err = strconv.Atoi(debug); err != nil || s.Debug < 0 {
		return nil, usageErrorf("%s: bad debug level %q", source, debug)
	}

	s.Policies = map[string]string{}
	if r.file != nil {
		for name, spec := range r.file.GetStringMapString("policies") {
			s.Policies[name] = spec
		}
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expandHome turns a leading "~/" into $HOME/, as a shell would, for paths
// written in the config file.
func expandHome(path string, lookupEnv func(string) (string, bool)) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, ok := lookupEnv("HOME"); ok && home != "" {
			return filepath.Join(home, rest)
		}
	}
	return path
}
