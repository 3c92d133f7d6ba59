import { describe, expect, it } from 'vitest';
import { EnvFileError, parseEnvFile } from '../../src/run/envfile.js';

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines with comments, export and quotes', () => {
    const text = [
      '# a comment',
      '',
      'A=1',
      'export B = two words  # trailing comment',
      "C='single $HOME # not a comment'",
      'D="line\\nnext \\"q\\" \\$X"',
      'E=',
      'F=a#b',
      'G="multi',
      'line"',
      'H=last',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      A: '1',
      B: 'two words',
      C: 'single $HOME # not a comment',
      D: 'line\nnext "q" $X',
      E: '',
      F: 'a#b',
      G: 'multi\nline',
      H: 'last',
    });
  });

  it('accepts CRLF and a BOM', () => {
    expect(parseEnvFile('\uFEFFA=1\r\nB="x"\r\n')).toEqual({ A: '1', B: 'x' });
  });

  it('reports bad lines with their number', () => {
    expect(() => parseEnvFile('A=1\nnot a pair\n')).toThrow(EnvFileError);
    expect(() => parseEnvFile('A=1\nnot a pair\n')).toThrow(/line 2/);
    expect(() => parseEnvFile('1BAD=x')).toThrow(/invalid variable name/);
    expect(() => parseEnvFile("A='open")).toThrow(/unterminated single quote/);
    expect(() => parseEnvFile('A="open')).toThrow(/unterminated double quote/);
    expect(() => parseEnvFile('A="x" junk')).toThrow(/unexpected text/);
  });
});
