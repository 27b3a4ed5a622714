import { Flex, Link, Text } from '@backstage/ui';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  EcrImage,
  EcrRepositoryImages,
} from '@backstage-ecr/plugin-ecr-common';
import { CopyButton } from '../common/CopyButton';
import {
  loginCommand,
  pullCommand,
  repositoryConsoleUrl,
  runCommand,
} from '../common/commands';
import { ecrTranslationRef } from '../../translation';

/** One copy-ready shell command. */
export function CommandLine(props: { label: string; command: string }) {
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <Flex direction="column" gap="1">
      <Text variant="body-small" color="secondary">
        {props.label}
      </Text>
      <Flex align="start" gap="1">
        <pre
          style={{
            flex: 1,
            margin: 0,
            padding: 'var(--bui-space-2)',
            borderRadius: 'var(--bui-radius-2)',
            background: 'var(--bui-bg-neutral-1, rgba(0,0,0,0.04))',
            border: '1px solid var(--bui-border, rgba(0,0,0,0.1))',
            fontSize: 'var(--bui-font-size-2)',
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-all',
          }}
        >
          {props.command}
        </pre>
        <CopyButton
          value={props.command}
          label={t('pullCommands.copyCommand', { label: props.label })}
        />
      </Flex>
    </Flex>
  );
}

/** The repository URI and the guide's login, pull and run commands. */
export function PullCommands(props: {
  repository: EcrRepositoryImages;
  image?: EcrImage;
  containerPort: number;
}) {
  const { repository, image, containerPort } = props;
  const { t } = useTranslationRef(ecrTranslationRef);
  return (
    <Flex direction="column" gap="3">
      <Flex align="center" gap="2">
        <Text variant="body-small" color="secondary">
          {t('pullCommands.repositoryUri')}
        </Text>
        <Text variant="body-small" style={{ fontFamily: 'monospace' }}>
          {repository.uri}
        </Text>
        <CopyButton
          value={repository.uri}
          label={t('pullCommands.copyRepositoryUri')}
        />
        <Link
          href={repositoryConsoleUrl(repository)}
          target="_blank"
          rel="noopener noreferrer"
          variant="body-small"
        >
          {t('common.openInConsole')}
        </Link>
      </Flex>
      <CommandLine
        label={t('pullCommands.login')}
        command={loginCommand(repository)}
      />
      {image && (
        <>
          <CommandLine
            label={
              image.tags[0]
                ? t('pullCommands.pullNewestTag', { tag: image.tags[0] })
                : t('pullCommands.pullNewestImage')
            }
            command={pullCommand(repository, image)}
          />
          <CommandLine
            label={t('pullCommands.run', {
              containerPort: String(containerPort),
            })}
            command={runCommand(repository, image, containerPort)}
          />
        </>
      )}
    </Flex>
  );
}
