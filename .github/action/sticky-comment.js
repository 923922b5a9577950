// sticky-comment.js: the connectsync action's pull-request comment. It keeps
// one comment per plan and edits it in place on every run, so a pull request
// pushed ten times shows one plan, the latest, not ten.
//
// How it finds its own comment: the markdown connectsync writes starts with a
// marker line, <!-- connectsync:plan --> (render.PlanMarker in
// pkg/render/planmd.go), which GitHub does not display. The script asks who
// the token is,
//   GET   {api}/user                      (a personal or user token), or else
//   POST  {graphql} { viewer { login } }  (GITHUB_TOKEN and app tokens, which
//                                          GET /user refuses: github-actions[bot])
// lists the pull request's comments, every page of
//   GET   {api}/repos/{owner}/{repo}/issues/{number}/comments
// and takes the oldest that the token's identity wrote whose first line is
// exactly that marker. It replaces
// that comment's body with
//   PATCH {api}/repos/{owner}/{repo}/issues/comments/{id}
// or, when there is none yet, creates it with
//   POST  {api}/repos/{owner}/{repo}/issues/{number}/comments
// A comment-tag input makes the marker <!-- connectsync:plan:TAG -->, so two
// plans (staging, production) keep two comments. A comment by anyone else is
// never touched, even one that starts with the marker.
//
// Environment (action.yml sets it): GITHUB_TOKEN (or GH_TOKEN),
// GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_GRAPHQL_URL, CONNECTSYNC_PR (the pull request number),
// CONNECTSYNC_MARKDOWN (the file to post), CONNECTSYNC_COMMIT and
// CONNECTSYNC_COMMENT_TAG (optional), GITHUB_SERVER_URL and GITHUB_RUN_ID (for
// the footer's link), GITHUB_OUTPUT (comment-id and comment-url go there).
//
// Plain Node.js 18 or later (fetch), no packages. The token is sent only to
// the API host, never printed, and plain http is refused except to loopback.
'use strict';

const fs = require('node:fs');

const DEFAULT_MARKER = '<!-- connectsync:plan -->';
const MARKER = /^<!-- connectsync:[A-Za-z0-9._:-]+ -->$/;
const TAG = /^[A-Za-z0-9._-]{1,64}$/;
// GitHub refuses a comment body longer than this many characters.
const COMMENT_LIMIT = 65536;

// splitMarker returns the marker that identifies the comment for this
// markdown (its own first line when that is a connectsync marker, otherwise
// the plan marker), with the tag added, and the markdown after that line.
function splitMarker(markdown, tag) {
  let marker = DEFAULT_MARKER;
  let rest = markdown;
  const nl = markdown.indexOf('\n');
  const first = (nl < 0 ? markdown : markdown.slice(0, nl)).trim();
  if (MARKER.test(first)) {
    marker = first;
    rest = nl < 0 ? '' : markdown.slice(nl + 1);
  }
  if (tag) {
    if (!TAG.test(tag)) {
      throw new Error(`comment-tag "${tag}" may hold only letters, digits, ".", "-" and "_"`);
    }
    marker = marker.replace(/ -->$/, `:${tag} -->`);
  }
  return { marker, rest };
}

// commentBody is what the comment says: the marker, the markdown and a
// footer naming the commit and the run, cut to GitHub's limit if need be.
function commentBody(markdown, env) {
  const { marker, rest } = splitMarker(markdown, env.CONNECTSYNC_COMMENT_TAG || '');
  const footer = [];
  const commit = env.CONNECTSYNC_COMMIT || '';
  if (/^[0-9a-f]{7,64}$/.test(commit)) {
    footer.push(`commit \`${commit.slice(0, 7)}\``);
  }
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    footer.push(`[workflow run](${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID})`);
  }
  const tail = footer.length ? `\n\n<sub>Updated by connectsync for ${footer.join(' · ')}.</sub>\n` : '\n';
  let text = rest.replace(/\s+$/, '');
  const room = COMMENT_LIMIT - marker.length - tail.length - 200;
  if (text.length > room) {
    text = text.slice(0, room) + '\n\n… (cut to fit in a comment: the job summary has all of it)';
  }
  return { marker, body: `${marker}\n${text}${tail}` };
}

// isOwn reports whether a comment is the one this marker identifies: the
// marker on its first line, written by the token's identity (login).
function isOwn(comment, marker, login) {
  if (typeof comment.body !== 'string') {
    return false;
  }
  const author = (comment.user && comment.user.login) || '';
  if (author.toLowerCase() !== String(login).toLowerCase()) {
    return false;
  }
  const nl = comment.body.indexOf('\n');
  return (nl < 0 ? comment.body : comment.body.slice(0, nl)).trim() === marker;
}

// The identity of GITHUB_TOKEN, should neither call answer.
const ACTIONS_BOT = 'github-actions[bot]';

class Client {
  constructor(apiURL, token) {
    const u = new URL(apiURL.replace(/\/+$/, '') + '/');
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
      throw new Error(`GITHUB_API_URL ${u.origin} is not https: refusing to send the token`);
    }
    this.base = u;
    this.token = token;
  }

  url(path) {
    return new URL(path.replace(/^\//, ''), this.base).toString();
  }

  async request(method, url, body) {
    if (new URL(url).origin !== this.base.origin) {
      throw new Error(`refusing to follow ${new URL(url).origin}: the token goes only to ${this.base.origin}`);
    }
    const res = await fetch(url, {
      method,
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${this.token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'connectsync-action',
        'X-GitHub-Api-Version': '2022-11-28',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      let message = '';
      try {
        message = (await res.json()).message || '';
      } catch {
        // not JSON: the status says enough
      }
      const path = new URL(url).pathname;
      let hint = '';
      if (res.status === 403 || res.status === 401) {
        hint = '; the token cannot write pull-request comments: give the job "permissions: pull-requests: write" (a pull request from a fork gets a read-only token: skip comment there)';
      } else if (res.status === 404) {
        hint = '; no such repository or pull request, or the token cannot see it';
      }
      throw new Error(`${method} ${path}: ${res.status} ${message}${hint}`);
    }
    return res;
  }

  // login returns who the token is: GET /user for a user's token; GraphQL's
  // viewer for GITHUB_TOKEN and app installation tokens, which GET /user
  // refuses (403 "Resource not accessible by integration").
  async login(graphqlURL) {
    try {
      const user = await (await this.request('GET', this.url('user'))).json();
      if (user.login) {
        return user.login;
      }
    } catch {
      // an installation token: ask GraphQL
    }
    try {
      const res = await this.request('POST', graphqlURL, { query: 'query { viewer { login } }' });
      const login = (((await res.json()).data || {}).viewer || {}).login;
      if (login) {
        return login;
      }
    } catch (err) {
      console.log(`Could not ask who the token is (${err.message}); assuming ${ACTIONS_BOT}, GITHUB_TOKEN's identity.`);
    }
    return ACTIONS_BOT;
  }

  // find returns the oldest comment on the issue this marker identifies,
  // written by login.
  async find(repo, number, marker, login) {
    let url = this.url(`repos/${repo}/issues/${number}/comments?per_page=100`);
    for (let page = 0; url && page < 100; page++) {
      const res = await this.request('GET', url);
      const comments = await res.json();
      const own = comments.find((c) => isOwn(c, marker, login));
      if (own) {
        return own;
      }
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') || '');
      url = next ? next[1] : '';
    }
    return null;
  }
}

function setOutput(env, name, value) {
  if (env.GITHUB_OUTPUT) {
    fs.appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
  }
}

async function main(env) {
  const number = env.CONNECTSYNC_PR || '';
  if (number === '') {
    console.log('Not a pull request: no comment to update.');
    return 0;
  }
  if (!/^[0-9]+$/.test(number)) {
    throw new Error(`CONNECTSYNC_PR "${number}" is not a pull request number`);
  }
  const repo = env.GITHUB_REPOSITORY || '';
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
    throw new Error(`GITHUB_REPOSITORY "${repo}" is not owner/name`);
  }
  const token = env.GITHUB_TOKEN || env.GH_TOKEN || '';
  if (token === '') {
    throw new Error('no token: set the github-token input (the default is the job\'s GITHUB_TOKEN)');
  }
  if (!env.CONNECTSYNC_MARKDOWN) {
    throw new Error('CONNECTSYNC_MARKDOWN names no file: nothing to post');
  }
  const markdown = fs.readFileSync(env.CONNECTSYNC_MARKDOWN, 'utf8');
  const { marker, body } = commentBody(markdown, env);

  const api = env.GITHUB_API_URL || 'https://api.github.com';
  const gh = new Client(api, token);
  const login = await gh.login(env.GITHUB_GRAPHQL_URL || `${api.replace(/\/+$/, '')}/graphql`);
  const own = await gh.find(repo, number, marker, login);
  let res;
  if (own) {
    res = await gh.request('PATCH', gh.url(`repos/${repo}/issues/comments/${own.id}`), { body });
  } else {
    res = await gh.request('POST', gh.url(`repos/${repo}/issues/${number}/comments`), { body });
  }
  const comment = await res.json();
  console.log(`${own ? 'Updated' : 'Created'} the plan comment ${marker} of ${login}: ${comment.html_url || comment.id}`);
  setOutput(env, 'comment-id', comment.id);
  setOutput(env, 'comment-url', comment.html_url || '');
  return 0;
}

module.exports = { splitMarker, commentBody, isOwn, main };

if (require.main === module) {
  main(process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.log(`::error title=connectsync comment::${err.message}`);
      process.exitCode = 1;
    },
  );
}
