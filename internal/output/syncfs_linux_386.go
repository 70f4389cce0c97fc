package output

// sysSyncfs is syncfs(2) on linux/386, missing from package syscall.
const sysSyncfs = 344
