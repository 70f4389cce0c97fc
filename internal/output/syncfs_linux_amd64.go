package output

// sysSyncfs is syncfs(2) on linux/amd64, missing from package syscall.
const sysSyncfs = 306
