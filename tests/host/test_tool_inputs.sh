#!/bin/bash
# The host tools take their input as data, never as code, and read guest
# images only from the -L directories they were given:
#  - a partition file whose name holds quotes, $(...), `...`, ';' and spaces
#    is compiled and checked as that file (dtc runs without a shell), and no
#    command in the name runs; dtc's failures are reported as such;
#  - kernel, initrd and RAM-disk image names that are absolute, hold a '..'
#    component, or resolve through a symbolic link outside their -L
#    directory are refused by hvcheck and hvpack alike, with a message that
#    names them; a symbolic link that stays inside the directory is fine;
#  - with -L given, nothing is read from the current directory.
# Needs only the tools: the "hypervisor" packed is a bare Image header.
# proves: PLATFORM-4
. "$(dirname "$0")/../lib/common.sh"
TOOLS=$(cd "$O/tools" && pwd)
T=$(mkdir -p "$O/tests" && cd "$O/tests" && pwd)/tool-inputs
rm -rf "$T"
mkdir -p "$T/L/guests" "$T/L-evil" "$T/outside" "$T/cwd"

# A 64-byte arm64 Image header: image_size 64 at +16, "ARM\x64" at +56.
{
	head -c 16 /dev/zero
	printf '\x40\0\0\0\0\0\0\0'
	head -c 32 /dev/zero
	printf 'ARM\x64\0\0\0\0'
} >"$T/hv.bin"
head -c 4096 /dev/urandom >"$T/L/guests/kernel.bin"
head -c 4096 /dev/urandom >"$T/L/guests/initrd.bin"
head -c 8192 /dev/urandom >"$T/L/guests/ram.img"
head -c 4096 /dev/urandom >"$T/outside/secret.bin"
head -c 8192 /dev/urandom >"$T/outside/ram.img"
head -c 4096 /dev/urandom >"$T/L-evil/secret.bin"
head -c 4096 /dev/urandom >"$T/cwd/only-here.bin"
ln -s guests/kernel.bin "$T/L/link-in.bin"           # relative, inside
ln -s "$T/L/guests/initrd.bin" "$T/L/abs-in.bin"     # absolute, inside
ln -s ../outside/secret.bin "$T/L/link-out.bin"      # a file outside
ln -s ../outside "$T/L/dir-out"                      # a directory outside
ln -s ../L-evil/secret.bin "$T/L/prefix-out.bin"     # "$T/L-evil" starts with "$T/L"
ln -s ../../outside/ram.img "$T/L/guests/ram-out.img"

# pf FILE KERNEL INITRD RAM-IMAGE: a partition file naming those images.
pf() {
	cat >"$1" <<EOF
/dts-v1/;
/ {
	compatible = "bulkhead,partition-file-v1";
	#address-cells = <2>;
	#size-cells = <2>;
	storage { ram0 { type = "ram"; image = "$4"; }; };
	partitions {
		alpha {
			cpus = <1>;
			memory = <0x0 0x50000000 0x0 0x4000000>;
			kernel = "$2";
			initrd = "$3";
		};
	};
};
EOF
}

# Both tools run in $T/cwd, where a command smuggled into a name would
# leave its file.
check() { (cd "$T/cwd" && "$TOOLS/hvcheck" -L "$T/L" "$@"); }
packs() { (cd "$T/cwd" && "$TOOLS/hvpack" -o "$T/out.img" -L "$T/L" "$T/hv.bin" "$@"); }

# ---- 1. no shell between the tools and dtc ----
# The first name would run its $() and `` under a shell that got it inside
# '...'; the second has an unbalanced quote.
evil1="$T/q'\$(touch pwned1)\`touch pwned2\`'b;touch pwned3; a b.dts"
evil2="$T/it's \$(touch pwned4) a;touch pwned5; \"q\".dts"
for evil in "$evil1" "$evil2"; do
	pf "$evil" guests/kernel.bin guests/initrd.bin guests/ram.img
	n="a partition file named $(basename "$evil")"
	if check "$evil" >"$T/o" 2>&1 && grep -qF "$evil: OK, 1 partition(s)" "$T/o"; then
		pass "hvcheck compiles $n"
	else
		fail "hvcheck compiles $n" "$(head -c 400 "$T/o")"
	fi
	rm -f "$T/out.img"
	if packs "$evil" >"$T/o" 2>&1 && [ -s "$T/out.img" ]; then
		pass "hvpack packs $n"
	else
		fail "hvpack packs $n" "$(head -c 400 "$T/o")"
	fi
done
side=$(find "$T" "$PWD" -maxdepth 2 -name 'pwned*' 2>/dev/null)
if [ -z "$side" ]; then pass "no command in a file name ran"; else fail "no command in a file name ran" "$side"; fi
rm -f "$T"/cwd/pwned*

# dtc's own failures: a broken source and no dtc at all.
broken="$T/broken'\$(touch pwned6)'.dts"
printf '/dts-v1/;\n/ { oops\n' >"$broken"
check "$broken" >"$T/o" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "$broken: dtc could not compile the partition file (exit status 1)" "$T/o"; then
	pass "hvcheck reports dtc's exit status on a broken source"
else
	fail "hvcheck reports dtc's exit status on a broken source" "exit $rc: $(head -c 400 "$T/o")"
fi
(cd "$T/cwd" && PATH=/nonexistent "$TOOLS/hvcheck" -L "$T/L" "$evil1") >"$T/o" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "cannot run dtc" "$T/o"; then
	pass "hvcheck says so when there is no dtc"
else
	fail "hvcheck says so when there is no dtc" "exit $rc: $(head -c 400 "$T/o")"
fi
side=$(find "$T" "$PWD" -maxdepth 2 -name 'pwned*' 2>/dev/null)
if [ -z "$side" ]; then pass "no command in a broken file's name ran"; else fail "no command in a broken file's name ran" "$side"; fi

# ---- 2. images stay inside the -L directories ----
# refused CASE KERNEL INITRD RAM-IMAGE REFUSED-NAME
refused() {
	local n=$1 f=$T/$1.dts rc
	pf "$f" "$2" "$3" "$4"
	check "$f" >"$T/$n.check" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -qF "$f: error: image '$5' refused: " "$T/$n.check"; then
		pass "hvcheck refuses $n"
	else
		fail "hvcheck refuses $n" "exit $rc: $(head -c 400 "$T/$n.check")"
	fi
	rm -f "$T/out.img"
	packs "$f" >"$T/$n.pack" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ ! -e "$T/out.img" ] && grep -qF "$f: error: image '$5' refused: " "$T/$n.pack"; then
		pass "hvpack refuses $n"
	else
		fail "hvpack refuses $n" "exit $rc: $(head -c 400 "$T/$n.pack")"
	fi
}
refused dotdot ../outside/secret.bin guests/initrd.bin guests/ram.img ../outside/secret.bin
refused dotdot-inner guests/../../outside/secret.bin guests/initrd.bin guests/ram.img \
	guests/../../outside/secret.bin
refused dotdot-inside guests/../guests/kernel.bin guests/initrd.bin guests/ram.img \
	guests/../guests/kernel.bin
refused absolute "$T/outside/secret.bin" guests/initrd.bin guests/ram.img "$T/outside/secret.bin"
refused absolute-inside "$T/L/guests/kernel.bin" guests/initrd.bin guests/ram.img \
	"$T/L/guests/kernel.bin"
refused symlink-out link-out.bin guests/initrd.bin guests/ram.img link-out.bin
refused symlink-dir-out dir-out/secret.bin guests/initrd.bin guests/ram.img dir-out/secret.bin
refused symlink-sibling-prefix prefix-out.bin guests/initrd.bin guests/ram.img prefix-out.bin
refused initrd-dotdot guests/kernel.bin ../outside/secret.bin guests/ram.img ../outside/secret.bin
refused ram-image-symlink-out guests/kernel.bin guests/initrd.bin guests/ram-out.img guests/ram-out.img

# A symbolic link that stays inside, relative or absolute, is just a name;
# the image packed holds the file it points at.
f=$T/symlink-in.dts
pf "$f" link-in.bin abs-in.bin guests/ram.img
if check "$f" >"$T/o" 2>&1; then pass "hvcheck accepts symbolic links inside the -L directory"; else
	fail "hvcheck accepts symbolic links inside the -L directory" "$(head -c 400 "$T/o")"
fi
rm -f "$T/out.img"
if packs "$f" >"$T/o" 2>&1 && grep -qF -f <(od -An -tx1 -v "$T/L/guests/kernel.bin" | tr -d ' \n' | head -c 64) \
	<(od -An -tx1 -v "$T/out.img" | tr -d ' \n'); then
	pass "hvpack packs the files symbolic links inside the -L directory point at"
else
	fail "hvpack packs the files symbolic links inside the -L directory point at" "$(head -c 400 "$T/o")"
fi

# With -L given, the current directory is not searched.
f=$T/cwd-only.dts
pf "$f" only-here.bin guests/initrd.bin guests/ram.img
check "$f" >"$T/o" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -qF "kernel: image 'only-here.bin' not found" "$T/o"; then
	pass "hvcheck does not look in the current directory beside -L"
else
	fail "hvcheck does not look in the current directory beside -L" "exit $rc: $(head -c 400 "$T/o")"
fi
finish
