import {
  createTranslationRef,
  TranslationFunction,
} from '@backstage/frontend-plugin-api';

/**
 * Every user-facing message of the ECR plugin, with its English default.
 *
 * @remarks
 *
 * Override any of them in an app with `createTranslationMessages`; values in
 * `{{double braces}}` are filled in when the message is shown, and keys ending
 * in `_one` and `_other` are the singular and plural forms of one message.
 *
 * @alpha
 */
export const ecrTranslationRef = createTranslationRef({
  id: 'ecr',
  messages: {
    entityContent: {
      title: 'ECR',
    },
    auditPage: {
      title: 'ECR audit',
    },
    common: {
      retry: 'Retry',
      copied: 'Copied',
      justNow: 'just now',
      openInConsole: 'Open in the AWS console',
      claim: 'Claim',
      runNow: 'Run now',
      permissionDenied: 'Permission denied',
    },
    severities: {
      critical: 'CRITICAL',
      high: 'HIGH',
      medium: 'MEDIUM',
      low: 'LOW',
      informational: 'INFORMATIONAL',
      undefined: 'UNDEFINED',
      withCount: '{{severity}} {{count}}',
    },
    errorAlert: {
      notOwnedTitle: 'A repository of this entity belongs to someone else',
      permissionDeniedDescription:
        'You do not have permission to see {{what}} of this entity. Ask its owners or your platform team for access.',
      loadFailedTitle: 'Could not load {{what}}',
      subjects: {
        images: 'the images',
        setupStatus: 'the setup status',
        auditHistory: 'the audit history',
        audit: 'the audit',
        builds: 'the builds',
      },
    },
    dryRunDialog: {
      loadingPreview: 'Loading preview',
      prepareFailed: 'Could not prepare the change',
      applyFailed: 'The change was not made',
      cancel: 'Cancel',
      apply: 'Apply',
    },
    entityTab: {
      loadingImages: 'Loading images',
      staleImages: {
        title: 'Showing earlier data',
        description:
          'AWS could not be reached just now; these images were read {{when}}.',
      },
      setup: {
        title: 'Setup status',
        loading: 'Loading setup status',
        staleTitle: 'Showing earlier results',
        staleDescription:
          'AWS could not be reached just now; these checks ran {{when}}.',
        checking: 'Checking…',
        checkedAt: 'Checked {{when}} ({{time}})',
        checkAgain: 'Check again',
      },
    },
    repository: {
      missingTitle: 'This repository does not exist yet',
      missingDescription:
        "The entity's annotation names {{arn}}, but there is no such repository in account {{accountId}}, region {{region}}. The setup status below says how to create it.",
      noImages: 'No images yet. Build and push a first one:',
      firstPush: 'Log in, build and push',
      imageCount_one: '{{count}} image',
      imageCount_other: '{{count}} images',
      notCreated: 'not created',
      summary: '{{images}} · {{region}} · account {{accountId}}',
    },
    pullCommands: {
      repositoryUri: 'Repository URI',
      copyRepositoryUri: 'Copy repository URI',
      copyCommand: 'Copy: {{label}}',
      login: 'Log docker in to the registry',
      pullNewestTag: 'Pull the newest tag ({{tag}})',
      pullNewestImage: 'Pull the newest image',
      run: 'Run it, publishing container port {{containerPort}} on port 80',
    },
    imagesTable: {
      columns: {
        tags: 'Tags',
        digest: 'Digest',
        pushed: 'Pushed',
        size: 'Size',
        lastPull: 'Last pull',
        scan: 'Scan',
        pull: 'Pull',
        build: 'Build',
      },
      untagged: '<untagged>',
      copyDigest: 'Copy digest',
      neverPulled: 'Never',
      notScanned: 'Not scanned',
      scanStatus: 'Scan {{status}}',
      noFindings: 'No findings',
      findings: 'Findings',
      copyPull: 'Copy docker pull for {{image}}',
      openImageInConsole: 'Open {{image}} in the AWS console',
      searchAriaLabel: 'Search {{repository}} images by tag',
      searchPlaceholder: 'Search by tag or digest',
      noMatch: 'No image has a tag matching "{{query}}".',
      empty: 'No images.',
      noBuild: 'No build of this project pushed it.',
      buildAriaLabel:
        'Build {{build}}, which pushed {{image}}, in the CodeBuild console',
      commitAriaLabel:
        'Commit {{commit}} of {{image}} in the source repository',
    },
    findingsDialog: {
      title: 'Findings for {{repository}}:{{image}}',
      loadFailed: 'Could not load the findings',
      notScannedTitle: 'This image has not been scanned',
      notScannedDescription:
        'Turn on scan on push for the repository, or start a manual scan in the AWS console, to see its vulnerabilities here.',
      staleTitle: 'Showing earlier findings',
      staleDescription:
        'AWS could not be reached just now; these findings were read {{when}}.',
      scanStatus: 'Scan {{status}}',
      scanStatusCompleted: 'Scan {{status}}, {{completedAt}}',
      noVulnerabilities: 'No vulnerabilities found.',
      columns: {
        severity: 'Severity',
        vulnerability: 'Vulnerability',
        package: 'Package',
        version: 'Version',
        fixedIn: 'Fixed in',
        link: 'Link',
      },
      noFix: 'No fix yet',
      details: 'Details',
      severityFilter: {
        label: 'Severity',
        ariaLabel: 'Filter findings by severity',
        all: 'All severities ({{count}})',
        option: '{{severity}} ({{count}})',
      },
      noFindingsOfSeverity: 'No findings of this severity.',
    },
    setupChecklist: {
      status: {
        pass: 'Passed',
        warn: 'Warning',
        fail: 'Failed',
        unknown: 'Unknown',
      },
      allPass: 'All {{count}} checks pass',
      needAttention: '{{attention}} of {{total}} need attention',
      remedy: 'What to do: {{remedy}}',
      requiredActions: 'Backstage needs IAM permission for: {{actions}}',
      listAriaLabel: 'Setup checks',
    },
    setupFix: {
      createRepository: {
        button: 'Create repository',
        title: 'Create the ECR repository',
        exists: 'The repository exists already; nothing would change.',
        preview:
          'Backstage will create {{repositoryName}} in account {{accountId}}, region {{region}}, with these settings:',
      },
      grantPushAccess: {
        button: 'Grant push access',
        title: 'Grant the build role push access',
        willAdd:
          'Backstage will add this inline policy to the role. No other policy of the role is edited or removed.',
        unchanged: 'The role has this policy already; nothing would change.',
        role: 'Role: {{roleArn}}',
        policyName: 'Policy name: {{policyName}}',
      },
      fixAll: {
        button: 'Fix all',
        title: 'Fix every pending check',
        intro:
          'Backstage will make these changes in this order. Each is shown as its dry run answered; if one fails, the ones after it are not made.',
        stepTitle: '{{number}}. {{step}}',
        step: {
          createRepository: 'Create the repository',
          configureRepository: 'Change the repository settings',
          grantPushAccess: 'Grant the build role push access',
        },
        outcome: {
          done: 'Done.',
          applying: 'Applying…',
          failed: 'Failed: {{message}}',
          notRun: 'Not made: an earlier change failed.',
        },
        apply: 'Apply all',
        close: 'Close',
      },
      configure: {
        button: {
          scanOnPush: 'Turn on scan on push',
          tagImmutability: 'Make tags immutable',
          lifecyclePolicy: 'Add lifecycle policy',
        },
        title: 'Change the repository settings',
        intro: 'Backstage will change these settings of {{repositoryArn}}:',
        setting: {
          scanOnPush: 'Scan on push',
          tagImmutability: 'Tag mutability',
          lifecyclePolicy: 'Lifecycle policy',
        },
        none: 'none',
        defaultPolicy:
          'the default policy (untagged images expire after 14 days)',
        change: '{{setting}}: {{current}} → {{desired}}',
        unchanged:
          '{{setting}}: {{current}}, already as it should be; unchanged.',
        kept: '{{setting}}: the repository has a lifecycle policy of its own; Backstage keeps it and does not replace it.',
        overwrites:
          '{{setting}}: replaces the existing lifecycle policy shown below.',
        nothingToChange: 'Nothing would change.',
      },
      blockedByPushRole:
        'No fix until the pushing role belongs to this entity (see “{{check}}”).',
      blockedByRepository:
        'No fix until the repository belongs to this entity (see “{{check}}”).',
      roleElsewhere:
        'No claim: the role belongs to someone else, and Backstage never re-binds a resource bound elsewhere.',
      repositoryElsewhere:
        'No claim: the repository belongs to someone else, and Backstage never re-binds a resource bound elsewhere.',
      claimNotAllowed:
        'Only the platform team can bind resources to an entity (permission ecr.repository.claim); ask them to claim it.',
    },
    builds: {
      title: 'Builds',
      project: 'CodeBuild project {{name}}',
      loading: 'Loading builds',
      none: 'This project has no builds yet.',
      listAriaLabel: 'Builds of {{project}}',
      status: {
        succeeded: 'Succeeded',
        failed: 'Failed',
        fault: 'Fault',
        timedOut: 'Timed out',
        inProgress: 'In progress',
        stopped: 'Stopped',
      },
      started: 'started {{when}}',
      duration: {
        hours: '{{hours}} h {{minutes}} min',
        minutes: '{{minutes}} min {{seconds}} s',
        seconds: '{{seconds}} s',
      },
      durationTitle: 'Duration',
      phase: 'in {{phase}}',
      failedIn: 'failed in {{phase}}',
      commitAriaLabel: 'Commit {{commit}} in the source repository',
      initiator: 'by {{initiator}}',
      console: 'Console',
      consoleAriaLabel: 'Build {{build}} in the CodeBuild console',
      log: 'Log',
      logAriaLabel: 'Log of build {{build}} in CloudWatch',
      diagnosis: {
        logLine: 'The first error in the log of build {{build}}:',
        matches: 'The setup check “{{check}}” looks for this.',
        passesNow: 'That check passes now: run the build again.',
        noFix: 'Backstage has no fix for it; {{checkLink}} says what to do.',
        checkLink: 'the check in the setup status',
        seeCheck: 'See {{checkLink}}.',
      },
      stale: {
        title: 'Showing earlier builds',
        description:
          'AWS could not be reached just now; these builds were read {{when}}.',
      },
      logsUnreadable: {
        title: 'The build logs could not be read',
        description:
          '{{reason}} Failed builds are shown without the reason they failed until Backstage may read them.',
      },
      runAgain: {
        button: 'Run build again',
        title: 'Run the build again',
        preview: 'Backstage will start a build of {{project}}.',
        sourceVersion: 'Source version: {{version}}',
        defaultSourceVersion:
          "Source version: the project's default (no earlier build names one).",
        notAllowed:
          'Only those allowed ecr.build.start on this entity can run its build again.',
        watching:
          'Build {{build}} is running; this list follows it until it ends.',
      },
      latest: {
        succeeded: 'Latest build {{build}} succeeded {{when}}.',
        failedInWith: 'Latest build {{build}} failed in {{phase}}: {{message}}',
        failedWith: 'Latest build {{build}} failed: {{message}}',
        failedIn: 'Latest build {{build}} failed in {{phase}}.',
        failed: 'Latest build {{build}} failed.',
        inProgress: 'Latest build {{build}} is in progress.',
        other: 'Latest build {{build}}: {{status}}.',
      },
    },
    claim: {
      dialogTitle: 'Bind resources to {{entityRef}}',
      kind: {
        repository: 'Repository',
        role: 'Pushing role',
      },
      outcome: {
        willBeTagged: 'Will be tagged',
        tagged: 'Tagged',
        alreadyBoundTo: 'Already belongs to {{boundTo}}',
        alreadyThisEntity: 'Already belongs to this entity',
        refusedBoundTo: 'Refused: it belongs to {{boundTo}}',
        refused: 'Refused',
        skipped: 'Skipped',
      },
      resourceLine: '{{kind}}: {{outcome}}',
      willTag_one:
        "Backstage will tag {{count}} resource as {{entityRef}}'s. Tags are added only to resources with no binding tag; nothing bound to anyone else is changed, and no tag is removed.",
      willTag_other:
        "Backstage will tag {{count}} resources as {{entityRef}}'s. Tags are added only to resources with no binding tag; nothing bound to anyone else is changed, and no tag is removed.",
      nothingToChange:
        'Nothing would change: no resource of {{entityRef}} is unbound.',
      resourcesAriaLabel: 'Resources to claim',
    },
    audit: {
      intro:
        'Every service that names an ECR repository, checked against the setup it needs. See also {{catalogLink}}.',
      catalogLink: 'the catalog',
      actionFailed: 'That did not work',
      permissionDeniedDescription:
        'The ECR audit is for the platform team (permission ecr.audit.read). Ask them if you need to see it.',
      loading: 'Loading the audit',
      lastRun: 'Last complete run {{when}} ({{exact}}), {{trigger}}',
      notRunYet: 'The audit has not run yet.',
      downloadCsv: 'Download CSV',
      tiles: {
        services: 'Services',
        passing: 'Passing',
        failing: 'Failing',
        unclaimedRepositories: 'Unclaimed repositories',
        failingCheck: 'Failing {{check}}',
        latestBuildPushFailures: 'Latest build failed on a push permission',
      },
      sections: {
        services: 'Services',
        ownership: 'Ownership',
        unclaimedRepositories: 'Unclaimed repositories',
        history: 'Failing checks over time',
      },
      entities: {
        columns: {
          entity: 'Entity',
          owner: 'Owner',
          ownership: 'Ownership',
          latestBuild: 'Latest build',
        },
        buildDiagnosis: '{{check}}: {{message}}',
        noBuild: 'no build',
        checkTooltip: '{{status}}: {{detail}}',
        notChecked: 'not checked',
        filters: {
          owner: 'Owner',
          allOwners: 'All owners',
          check: 'Check',
          allChecks: 'All checks',
          status: 'Status',
          anyStatus: 'Any status',
          failing: 'Failing',
          warning: 'Warning',
          unknown: 'Unknown',
          passing: 'Passing',
        },
        empty: 'No entity matches these filters.',
      },
      unclaimed: {
        allClaimed: 'Every repository is claimed by a catalog entity.',
        columns: {
          repository: 'Repository',
          account: 'Account',
          region: 'Region',
          boundTo: 'Bound to',
          created: 'Created',
        },
        unbound: 'unbound',
        orphaned: 'orphaned: that entity is not in the catalog',
      },
      claimNotice: {
        title: 'Claimed for {{entityRef}}',
        tagged_one: '{{count}} resource tagged',
        tagged_other: '{{count}} resources tagged',
        taggedWithRefused:
          '{{tagged}}, {{refused}} refused (bound to someone else)',
        nextRun: '{{outcome}}. The audit shows it after its next run.',
        nextScheduledRun:
          '{{outcome}}. The audit shows it after its next scheduled run.',
      },
      chart: {
        noRuns: 'No complete runs yet.',
        ariaLabel: 'Failing checks over the last {{runs}} runs',
        barTitle: '{{date}}: {{failing}} failing',
      },
      ownership: {
        notAudited:
          'This run was stored before ownership was audited; the next run records it.',
        kind: {
          repository: 'repository',
          role: 'role',
        },
        resource: '{{kind}} {{name}}',
        binding: {
          unbound: '{{resource}}: unbound',
          elsewhere: '{{resource}}: bound to {{boundTo}}',
          someoneElse: 'someone else',
          unknown: '{{resource}}: not known',
          bound: '{{resource}}: {{boundTo}}',
          boundFallback: 'bound',
        },
        cellNotAudited: 'not audited',
        allBound: '✓ all bound',
        claimFor: 'Claim for {{entityRef}}',
        flagCount: '{{label}} ({{count}})',
        shared: {
          label: 'Shared repositories',
          explanation:
            "Repositories that several entities name. Only the one the repository's tags bind it to may read or change it.",
          none: 'No repository is named by more than one entity.',
          repository: 'Repository',
          namedBy: 'Named by',
        },
        foreign: {
          label: 'Entities naming resources bound elsewhere',
          explanation:
            "The entity's annotation names a repository or role whose tags bind it to someone else: Backstage neither shows nor changes it for the entity. Fix the annotation, or have the owners hand the resource over.",
          none: 'No entity names a resource bound to someone else.',
          entity: 'Entity',
          resource: 'Resource',
          boundTo: 'Bound to',
        },
        orphans: {
          label: 'Bindings naming missing entities',
          explanation:
            'Repositories whose entity-ref tag names an entity that is no longer in the catalog.',
          none: 'Every binding names an entity in the catalog.',
          repository: 'Repository',
          boundTo: 'Bound to (not in the catalog)',
        },
      },
    },
  },
});

/**
 * The `t` of `useTranslationRef(ecrTranslationRef)`, for the helpers that
 * components hand it to.
 *
 * @internal
 */
export type EcrTranslationFunction = TranslationFunction<
  (typeof ecrTranslationRef)['T']
>;
