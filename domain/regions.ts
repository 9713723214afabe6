/**
 * Administrative divisions the demo data and the hub's region pages use: Jining city (370800) with
 * its eleven counties and Gaotang county (371526, under Liaocheng 371500), each with a few
 * townships (9-digit statistical codes) and villages or communities (12 digits).
 *
 * County and township names are real places; the township codes and the village/community names
 * below them are made up for the demo, following the statistical code conventions: 街道 numbered
 * 001.., 镇 100.., 乡 200..; 社区居委会 0xx and 村民委员会 2xx below a township.
 */

export type RegionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}

/**
 * The significant prefix of a division code: trailing all-zero levels dropped, so that
 * `region_code LIKE '<prefix>%'` finds everything under it.
 * 370000 → '37', 370800 → '3708', 370811 → '370811', 370811001 → '370811001', 370811001001 → itself.
 */
export function regionPrefix(code: string): string {
  if (!/^\d{2}(\d{4}|\d{7}|\d{10})$/.test(code)) throw new RangeError(`not a division code: ${JSON.stringify(code)}`);
  const padded = code.padEnd(12, '0');
  // Levels: province 2, city 2, county 2, township 3, village 3 digits.
  const ends = [2, 4, 6, 9, 12];
  let keep = 2;
  for (let i = 1; i < ends.length; i++) {
    if (/[^0]/.test(padded.slice(ends[i - 1], ends[i]))) keep = ends[i];
  }
  return padded.slice(0, keep);
}

interface CountySeed {
  code: string;
  name: string;
  parentCode: string;
  /** Registered population in ten-thousands (approximate), for weighting demo households. */
  population: number;
  /** [name, kind] in code order; kind decides the code block (街道 0xx, 镇 1xx, 乡 2xx). */
  townships: Array<[string, 'STREET' | 'TOWN' | 'XIANG']>;
}

export const COUNTY_SEEDS: readonly CountySeed[] = [
  {
    code: '370811', name: '任城区', parentCode: '370800', population: 130,
    townships: [['古槐街道', 'STREET'], ['济阳街道', 'STREET'], ['南苑街道', 'STREET'], ['观音阁街道', 'STREET'], ['长沟镇', 'TOWN'], ['喻屯镇', 'TOWN']],
  },
  {
    code: '370812', name: '兖州区', parentCode: '370800', population: 64,
    townships: [['鼓楼街道', 'STREET'], ['酒仙桥街道', 'STREET'], ['龙桥街道', 'STREET'], ['大安镇', 'TOWN'], ['新驿镇', 'TOWN'], ['颜店镇', 'TOWN']],
  },
  {
    code: '370881', name: '曲阜市', parentCode: '370800', population: 65,
    townships: [['鲁城街道', 'STREET'], ['书院街道', 'STREET'], ['时庄街道', 'STREET'], ['吴村镇', 'TOWN'], ['尼山镇', 'TOWN'], ['防山镇', 'TOWN']],
  },
  {
    code: '370883', name: '邹城市', parentCode: '370800', population: 116,
    townships: [['钢山街道', 'STREET'], ['千泉街道', 'STREET'], ['凫山街道', 'STREET'], ['峄山镇', 'TOWN'], ['大束镇', 'TOWN'], ['香城镇', 'TOWN']],
  },
  {
    code: '370826', name: '微山县', parentCode: '370800', population: 72,
    townships: [['夏镇街道', 'STREET'], ['昭阳街道', 'STREET'], ['韩庄镇', 'TOWN'], ['鲁桥镇', 'TOWN'], ['两城镇', 'TOWN'], ['高楼乡', 'XIANG']],
  },
  {
    code: '370827', name: '鱼台县', parentCode: '370800', population: 48,
    townships: [['谷亭街道', 'STREET'], ['滨湖街道', 'STREET'], ['王庙镇', 'TOWN'], ['李阁镇', 'TOWN'], ['唐马镇', 'TOWN'], ['张黄镇', 'TOWN']],
  },
  {
    code: '370828', name: '金乡县', parentCode: '370800', population: 65,
    townships: [['金乡街道', 'STREET'], ['高河街道', 'STREET'], ['羊山镇', 'TOWN'], ['胡集镇', 'TOWN'], ['鸡黍镇', 'TOWN'], ['卜集镇', 'TOWN']],
  },
  {
    code: '370829', name: '嘉祥县', parentCode: '370800', population: 90,
    townships: [['嘉祥街道', 'STREET'], ['卧龙山街道', 'STREET'], ['纸坊镇', 'TOWN'], ['梁宝寺镇', 'TOWN'], ['马村镇', 'TOWN'], ['黄垓乡', 'XIANG']],
  },
  {
    code: '370830', name: '汶上县', parentCode: '370800', population: 79,
    townships: [['汶上街道', 'STREET'], ['中都街道', 'STREET'], ['南旺镇', 'TOWN'], ['次丘镇', 'TOWN'], ['郭楼镇', 'TOWN'], ['军屯乡', 'XIANG']],
  },
  {
    code: '370831', name: '泗水县', parentCode: '370800', population: 63,
    townships: [['济河街道', 'STREET'], ['泗河街道', 'STREET'], ['泉林镇', 'TOWN'], ['星村镇', 'TOWN'], ['柘沟镇', 'TOWN'], ['圣水峪镇', 'TOWN']],
  },
  {
    code: '370832', name: '梁山县', parentCode: '370800', population: 80,
    townships: [['水泊街道', 'STREET'], ['梁山街道', 'STREET'], ['拳铺镇', 'TOWN'], ['韩岗镇', 'TOWN'], ['馆驿镇', 'TOWN'], ['赵堌堆乡', 'XIANG']],
  },
  {
    code: '371526', name: '高唐县', parentCode: '371500', population: 50,
    townships: [['鱼丘湖街道', 'STREET'], ['汇鑫街道', 'STREET'], ['人和街道', 'STREET'], ['梁村镇', 'TOWN'], ['清平镇', 'TOWN'], ['琉璃寺镇', 'TOWN']],
  },
];

const COMMUNITY_NAMES = ['和平', '建设', '幸福', '光明', '东关', '西关', '南关', '北关', '文化', '红星', '振兴', '新华', '富民', '安康', '翠园', '杏坛', '明珠', '东风'];
const VILLAGE_SURNAMES = ['王', '李', '张', '刘', '孙', '赵', '杨', '陈', '孔', '颜', '孟', '马', '周', '郭', '田', '韩', '魏', '朱', '高', '徐', '曹', '吕', '贾', '宋'];
const VILLAGE_SUFFIXES = ['庄', '屯', '楼', '集', '营', '寨', '店', '庙', '洼', '桥', '口', '堂', '园', '官庄', '家', '海'];
const VILLAGE_PREFIXES = ['', '', '', '前', '后', '东', '西', '南', '北', '大', '小'];

/** A small integer hash (FNV-1a), so the made-up names are the same on every run. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const COMMUNITIES_PER_STREET = 5;
const VILLAGES_PER_TOWN = 4;

function buildRegions(): Region[] {
  const out: Region[] = [
    { code: '370000', name: '山东省', level: 'PROVINCE', parentCode: null },
    { code: '370800', name: '济宁市', level: 'CITY', parentCode: '370000' },
    { code: '371500', name: '聊城市', level: 'CITY', parentCode: '370000' },
  ];
  for (const county of COUNTY_SEEDS) {
    out.push({ code: county.code, name: county.name, level: 'COUNTY', parentCode: county.parentCode });
    const counters = { STREET: 0, TOWN: 99, XIANG: 199 };
    for (const [tName, kind] of county.townships) {
      counters[kind] += 1;
      const tCode = county.code + String(counters[kind]).padStart(3, '0');
      out.push({ code: tCode, name: tName, level: 'TOWNSHIP', parentCode: county.code });
      const used = new Set<string>();
      const pick = (base: number, candidates: (n: number) => string): string => {
        for (let n = base; ; n++) {
          const name = candidates(n);
          if (!used.has(name)) {
            used.add(name);
            return name;
          }
        }
      };
      if (kind === 'STREET') {
        for (let i = 1; i <= COMMUNITIES_PER_STREET; i++) {
          const code = tCode + String(i).padStart(3, '0');
          const name = pick(hash(code), (n) => `${COMMUNITY_NAMES[n % COMMUNITY_NAMES.length]}社区`);
          out.push({ code, name, level: 'VILLAGE', parentCode: tCode });
        }
      } else {
        // The township seat's residents' committee, then the villages.
        const seat = tCode + '001';
        out.push({ code: seat, name: `${tName.replace(/[镇乡]$/, '')}社区`, level: 'VILLAGE', parentCode: tCode });
        for (let i = 1; i <= VILLAGES_PER_TOWN; i++) {
          const code = tCode + String(200 + i);
          const name = pick(hash(code), (n) => {
            const s = VILLAGE_SURNAMES[n % VILLAGE_SURNAMES.length];
            const suffix = VILLAGE_SUFFIXES[(n >>> 5) % VILLAGE_SUFFIXES.length];
            const prefix = VILLAGE_PREFIXES[(n >>> 10) % VILLAGE_PREFIXES.length];
            return `${prefix}${s}${suffix}村`;
          });
          out.push({ code, name, level: 'VILLAGE', parentCode: tCode });
        }
      }
    }
  }
  return out;
}

/** Every division, parents before children. */
export const REGIONS: readonly Region[] = buildRegions();

export const REGION_BY_CODE: ReadonlyMap<string, Region> = new Map(REGIONS.map((r) => [r.code, r]));

/** The counties (Jining's eleven and Gaotang). */
export const COUNTIES: readonly Region[] = REGIONS.filter((r) => r.level === 'COUNTY');

/** The chain of divisions from the province down to `code` (inclusive), for addresses and breadcrumbs. */
export function regionPath(code: string): Region[] {
  const path: Region[] = [];
  for (let r = REGION_BY_CODE.get(code); r; r = r.parentCode ? REGION_BY_CODE.get(r.parentCode) : undefined) path.unshift(r);
  return path;
}

/** Urban (街道, or a 社区居委会 anywhere) as opposed to rural (a 村民委员会 under a 镇/乡). */
export function isUrbanVillage(code: string): boolean {
  if (code.length !== 12) return false;
  const townshipNo = Number(code.slice(6, 9));
  const villageNo = Number(code.slice(9, 12));
  return townshipNo < 100 || villageNo < 200;
}
